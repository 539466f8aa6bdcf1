import { COMPAT_SAGA_METADATA } from '../compat.constants';

/**
 * Marks a property as a saga: `(events$: Observable<IEvent>) => Observable<ICommand>`,
 * subscribed once at start-up; every command it emits is executed.
 */
export function Saga(): PropertyDecorator {
  return (target, key) => {
    const type = target.constructor;
    const keys = (Reflect.getMetadata(COMPAT_SAGA_METADATA, type) as (string | symbol)[]) ?? [];
    Reflect.defineMetadata(COMPAT_SAGA_METADATA, [...keys, key], type);
  };
}
