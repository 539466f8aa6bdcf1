import { CelloError } from '../errors/cello-error';

/** Given to a lease keeper's `onLost`: the leases were taken over, fenced off or not renewed in time. */
export class LeaseLostError extends CelloError {
  static readonly code = 'lease-lost';

  constructor(detail: string, options?: { cause?: unknown }) {
    super(LeaseLostError.code, `Lease lost: ${detail}`, options);
  }
}
