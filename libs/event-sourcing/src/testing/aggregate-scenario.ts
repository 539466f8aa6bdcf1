import { isDeepStrictEqual, inspect } from 'node:util';
import type { Aggregate, AggregateClass } from '../aggregate/aggregate';
import type { Event } from '../event/event';
import { AggregateAssertionError } from './aggregate-assertion.error';

/** The comparable form of an event: its class name and payload, without the random event id. */
function describeEvent(event: Event): { type: string; data: Record<string, unknown> } {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { eventId, ...data } = event as Event & Record<string, unknown>;
  return { type: event.constructor.name, data };
}

function show(value: unknown): string {
  return inspect(value, { depth: 6, breakLength: 100, sorted: true });
}

/** Builds a line-by-line diff of two multi-line renderings, `-` expected and `+` actual. */
function diff(expected: string, actual: string): string {
  const left = expected.split('\n');
  const right = actual.split('\n');
  const lines: string[] = [];
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    if (left[index] === right[index]) lines.push(`  ${left[index]}`);
    else {
      if (left[index] !== undefined) lines.push(`- ${left[index]}`);
      if (right[index] !== undefined) lines.push(`+ ${right[index]}`);
    }
  }
  return lines.join('\n');
}

/** The outcome of `when`, checked by `then` or `thenThrows`. */
export class AggregateScenarioOutcome<A extends Aggregate> {
  constructor(
    private readonly aggregate: A,
    private readonly produced: readonly Event[],
    private readonly error: unknown,
    private readonly threw: boolean,
  ) {}

  /** Asserts the command applied exactly `expected` (class and fields, event ids ignored). */
  then(expected: readonly Event[]): A {
    if (this.threw) {
      throw new AggregateAssertionError(
        `Expected events ${show(expected.map(describeEvent))}, but the command threw: ${show(this.error)}`,
        expected,
        this.error,
      );
    }
    const want = expected.map(describeEvent);
    const got = this.produced.map(describeEvent);
    const sameClasses = expected.every(
      (event, index) => this.produced[index]?.constructor === event.constructor,
    );
    if (!sameClasses || !isDeepStrictEqual(want, got)) {
      throw new AggregateAssertionError(
        `Applied events differ from the expected ones (- expected, + actual):\n${diff(show(want), show(got))}`,
        want,
        got,
      );
    }
    return this.aggregate;
  }

  /** Asserts the command threw an instance of `errorClass` (and, if given, a message matching). */
  thenThrows(
    errorClass: abstract new (...args: never[]) => Error,
    message?: string | RegExp,
  ): unknown {
    if (!this.threw) {
      throw new AggregateAssertionError(
        `Expected ${errorClass.name} to be thrown, but the command applied ${show(
          this.produced.map(describeEvent),
        )}`,
        errorClass,
        this.produced,
      );
    }
    if (!(this.error instanceof errorClass)) {
      throw new AggregateAssertionError(
        `Expected ${errorClass.name} to be thrown, but got ${show(this.error)}`,
        errorClass,
        this.error,
      );
    }
    const text = (this.error as Error).message;
    if (
      message !== undefined &&
      (typeof message === 'string' ? !text.includes(message) : !message.test(text))
    ) {
      throw new AggregateAssertionError(
        `Expected the ${errorClass.name} message to match ${String(message)}, got "${text}"`,
        message,
        text,
      );
    }
    return this.error;
  }
}

/** A scenario with its history, waiting for the command. */
export class AggregateScenario<A extends Aggregate> {
  constructor(
    private readonly aggregateClass: AggregateClass<A>,
    private readonly history: readonly Event[],
  ) {}

  /** Runs the command on the aggregate rebuilt from the history. */
  when(command: (aggregate: A) => unknown): AggregateScenarioOutcome<A> {
    const aggregate = new this.aggregateClass();
    aggregate.loadFromHistory(this.history);
    const before = aggregate.uncommittedEvents.length;
    try {
      const result = command(aggregate);
      if (result instanceof Promise) {
        throw new AggregateAssertionError(
          'when() got an async command; aggregate commands are synchronous decisions. ' +
            'Do the I/O outside the aggregate.',
        );
      }
      return new AggregateScenarioOutcome(
        aggregate,
        aggregate.uncommittedEvents.slice(before),
        undefined,
        false,
      );
    } catch (error) {
      if (error instanceof AggregateAssertionError) throw error;
      return new AggregateScenarioOutcome(aggregate, [], error, true);
    }
  }
}

/**
 * Starts an aggregate test: `given(Order, [created]).when((o) => o.ship('T-1')).then([shipped])`.
 * Framework-agnostic: failures throw `AggregateAssertionError` with a diff.
 */
export function given<A extends Aggregate>(
  aggregateClass: AggregateClass<A>,
  history: readonly Event[] = [],
): AggregateScenario<A> {
  return new AggregateScenario(aggregateClass, history);
}
