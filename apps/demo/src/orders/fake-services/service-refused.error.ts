import { CelloError } from '@cello/core';
import type { LedgerService } from './ledger-entry';

/**
 * A fake service said no for a business reason (out of stock, card declined,
 * address refused). Retrying gives the same answer, so the saga compensates.
 */
export class ServiceRefusedError extends CelloError {
  constructor(
    /** Kebab-case reason, e.g. `out-of-stock`. */
    code: string,
    /** The service that refused. */
    readonly service: LedgerService,
    message: string,
  ) {
    super(code, message);
  }
}
