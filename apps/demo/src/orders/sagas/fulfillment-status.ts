/** Where a fulfilment stands, as `GET /orders/:id/fulfillment` reports it. */
export type FulfillmentStatus =
  'running' | 'completed' | 'compensated' | 'compensation_failed' | 'timed_out' | 'corrupt';

/** A fulfilment's progress. */
export interface FulfillmentView {
  readonly sagaId: string;
  readonly status: FulfillmentStatus;
  /** Steps whose action completed, in order (including ones compensated since). */
  readonly stepsCompleted: string[];
  /** Steps whose compensation completed, in the order they ran. */
  readonly compensatedSteps: string[];
  readonly failedStep: string | null;
  readonly error: string | null;
}
