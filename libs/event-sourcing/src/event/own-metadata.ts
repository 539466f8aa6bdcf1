// Where `Event.withMetadata` keeps an event's own metadata: a non-enumerable
// symbol-keyed property, so it is never part of the serialized payload.
const OWN_METADATA = Symbol('cello.eventMetadata');

type WithOwnMetadata = { [OWN_METADATA]?: Readonly<Record<string, unknown>> };

/** The metadata given with `event.withMetadata`, or undefined. */
export function ownMetadataOf(event: object): Readonly<Record<string, unknown>> | undefined {
  return (event as WithOwnMetadata)[OWN_METADATA];
}

/** Adds `metadata` over the event's own metadata. */
export function addOwnMetadata(event: object, metadata: Record<string, unknown>): void {
  Object.defineProperty(event, OWN_METADATA, {
    value: { ...ownMetadataOf(event), ...metadata },
    enumerable: false,
    configurable: true,
    writable: true,
  });
}
