// An EventStore over any storage that knows the Order fixture's events, for the storage-level tests.
import { EventRegistry } from '@cello/event-sourcing/event/event-registry';
import { EventSerializer } from '@cello/event-sourcing/serialization/event-serializer';
import type { EventStorage } from '@cello/event-sourcing/store/event-storage';
import { EventStore } from '@cello/event-sourcing/store/event-store';
import { OrderCreated, OrderShipped } from './order.fixture';

/** The facade over `storage`, with OrderCreated and OrderShipped registered and default options. */
export function orderEventStore(storage: EventStorage): EventStore {
  const registry = new EventRegistry();
  registry.registerEvent(OrderCreated);
  registry.registerEvent(OrderShipped);
  return new EventStore(storage, new EventSerializer(registry, {}), registry, {});
}
