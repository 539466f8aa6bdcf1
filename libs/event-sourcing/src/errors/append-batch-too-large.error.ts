import { EventSourcingError } from './event-sourcing.error';

/** One append carries more events than the `maxBatchSize` option allows. */
export class AppendBatchTooLargeError extends EventSourcingError {
  static readonly code = 'append-batch-too-large';

  constructor(
    readonly streamId: string,
    readonly count: number,
    readonly limit: number,
  ) {
    super(
      AppendBatchTooLargeError.code,
      `Append to stream "${streamId}" has ${count} events; the limit (maxBatchSize) is ${limit}. ` +
        'Split it into several appends or raise maxBatchSize.',
    );
  }
}
