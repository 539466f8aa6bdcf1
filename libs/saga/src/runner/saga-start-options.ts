/** Options of `SagaRunner.execute` and `SagaRunner.start`. */
export interface SagaStartOptions {
  /**
   * The saga's id, chosen by the caller (e.g. an order id or a request's
   * idempotency key) instead of a random one. Starting again with an id that
   * exists starts nothing: `start` returns the id, `execute` waits for that
   * saga's outcome and returns it, so a retried request cannot run a saga
   * twice. At most 191 characters. Default: a random UUID.
   */
  readonly sagaId?: string;
}

/** Longest caller-chosen id: MySQL's indexed VARCHAR(191) in utf8mb4. */
export const MAX_SAGA_ID_LENGTH = 191;
