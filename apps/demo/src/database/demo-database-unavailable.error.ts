import { CelloError } from '@cello/core';

/** The demo's read model and ledger database cannot be reached right now (HTTP 503). */
export class DemoDatabaseUnavailableError extends CelloError {
  static readonly code = 'demo-database-unavailable';

  constructor(detail: string, options?: { cause?: unknown }) {
    super(DemoDatabaseUnavailableError.code, `Demo database unavailable: ${detail}`, options);
  }
}
