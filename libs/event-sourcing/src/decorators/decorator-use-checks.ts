import { describeDecoratorTarget, isOptionsObject, unknownOptionKeys } from '@cello/core/internal';
import { InvalidEventSourcingDecoratorError } from '../errors/invalid-event-sourcing-decorator.error';

/** Refuses options that are not an object or hold keys the decorator does not know. */
export function checkDecoratorOptions(
  decorator: string,
  where: string,
  options: unknown,
  known: readonly string[],
): void {
  if (!isOptionsObject(options)) {
    throw new InvalidEventSourcingDecoratorError(
      decorator,
      where,
      `its options are ${String(options)}, not an object.`,
      `Give an object with ${known.join(', ')}.`,
    );
  }
  const unknown = unknownOptionKeys(options, known);
  if (unknown.length > 0) {
    throw new InvalidEventSourcingDecoratorError(
      decorator,
      where,
      `it has no option ${unknown.map((key) => `"${key}"`).join(', ')}; Cello would ignore it.`,
      `Use only ${known.join(', ')}.`,
    );
  }
}

/** Refuses an optional schema version that is not a whole number >= 1. */
export function checkSchemaVersion(
  decorator: string,
  where: string,
  option: string,
  value: unknown,
): void {
  if (value === undefined || (Number.isSafeInteger(value) && (value as number) >= 1)) return;
  throw new InvalidEventSourcingDecoratorError(
    decorator,
    where,
    `${option} is ${String(value)}.`,
    'Give a whole number >= 1 (raise it when the shape changes), or leave it out for 1.',
  );
}

/** Refuses an event-handler decorator without event classes or with something else than classes. */
export function checkEventClasses(decorator: string, eventClasses: readonly unknown[]): void {
  if (eventClasses.length === 0) {
    throw new InvalidEventSourcingDecoratorError(
      decorator,
      'a method',
      `${decorator}() needs at least one event class.`,
      `Name the events it handles: ${decorator}(OrderPlaced, OrderCancelled).`,
    );
  }
  const wrong = eventClasses.findIndex((eventClass) => typeof eventClass !== 'function');
  if (wrong >= 0) {
    throw new InvalidEventSourcingDecoratorError(
      decorator,
      'a method',
      `argument #${wrong + 1} is ${String(eventClasses[wrong])}, not an event class.`,
      'Pass the event classes themselves, not their names or instances.',
    );
  }
}

/** Refuses a method decorator put on a property or accessor, where it would never be called. */
export function checkMethodTarget(
  decorator: string,
  target: object,
  key: string | symbol,
  descriptor: PropertyDescriptor | undefined,
): void {
  if (typeof descriptor?.value === 'function') return;
  throw new InvalidEventSourcingDecoratorError(
    decorator,
    describeDecoratorTarget({ target, key }),
    'it was put on a property or accessor, which Cello never calls.',
    `Put ${decorator}(...) on a method: on(event) { ... }, not on = (event) => { ... }.`,
  );
}

/** Refuses a class decorator put on a member. */
export function checkClassTarget(decorator: string, target: object, key?: string | symbol): void {
  if (key === undefined) return;
  throw new InvalidEventSourcingDecoratorError(
    decorator,
    describeDecoratorTarget({ target, key }),
    'it is a class decorator, but it was put on a member.',
    `Put ${decorator}(...) on the class.`,
  );
}
