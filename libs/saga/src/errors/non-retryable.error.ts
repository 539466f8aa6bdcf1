import { SagaError } from './saga.error';

/**
 * Throw it from a step to fail it at once, without retries (a declined card,
 * an invalid address): retrying would only repeat the same answer.
 */
export class NonRetryableError extends SagaError {
  static readonly code = 'saga-non-retryable';

  constructor(message: string, options?: { cause?: unknown }) {
    super(NonRetryableError.code, message, options);
  }
}
