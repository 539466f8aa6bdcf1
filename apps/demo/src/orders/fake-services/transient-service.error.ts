import { CelloError } from '@cello/core';
import type { LedgerService } from './ledger-entry';

/** A fake service call failed before doing anything (`DEMO_TRANSIENT_FAILURE_RATE`): retry it. */
export class TransientServiceError extends CelloError {
  static readonly code = 'service-temporarily-unavailable';

  constructor(
    readonly service: LedgerService,
    operation: string,
  ) {
    super(
      TransientServiceError.code,
      `${service} service is temporarily unavailable (${operation}); retry with the same idempotency key`,
    );
  }
}
