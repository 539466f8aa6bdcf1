import type { Type } from '@nestjs/common';
import { type Observable, type OperatorFunction, filter } from 'rxjs';
import type { IEvent } from './interfaces/message.interfaces';

/**
 * Keeps the events that are instances (`instanceof`, so subclasses too) of
 * one of `types`; the output is typed as the union of those classes.
 */
export function ofType<TInput extends IEvent, T extends Type<IEvent>[]>(
  ...types: T
): OperatorFunction<TInput, InstanceType<T[number]>> {
  const isInstance = (event: TInput): event is TInput & InstanceType<T[number]> =>
    types.some((type) => event instanceof type);
  return (source: Observable<TInput>) => source.pipe(filter(isInstance));
}
