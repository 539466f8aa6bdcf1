import type { EventClass } from '../event/event';

/** Metadata key: what `@Upcaster` records on a class. */
export const UPCASTER_METADATA = 'cello:upcaster';

/** Options of `@Upcaster(type, options)`. */
export interface UpcasterOptions {
  /** The stored schema version this upcaster reads; it returns `fromVersion + 1`. */
  fromVersion: number;
}

/** What `@Upcaster` records. */
export interface UpcasterMetadata {
  readonly type: EventClass | string;
  readonly fromVersion: number;
}

/**
 * Marks a class whose `upcast(data)` turns `type`'s payload of schema version
 * `fromVersion` into version `fromVersion + 1`. Register it in
 * `forRoot`/`forFeature({ upcasters: [...] })`.
 */
export function Upcaster(type: EventClass | string, options: UpcasterOptions): ClassDecorator {
  return (target) => {
    const metadata: UpcasterMetadata = { type, fromVersion: options.fromVersion };
    Reflect.defineMetadata(UPCASTER_METADATA, metadata, target);
  };
}

/** The `@Upcaster` metadata of `target`, if any. */
export function getUpcasterMetadata(target: object): UpcasterMetadata | undefined {
  return Reflect.getOwnMetadata(UPCASTER_METADATA, target) as UpcasterMetadata | undefined;
}
