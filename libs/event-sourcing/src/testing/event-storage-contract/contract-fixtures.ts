// Builders and small helpers of the event storage contract cases.
import { randomUUID } from 'node:crypto';
import { EventRegistry } from '../../event/event-registry';
import { EventSerializer } from '../../serialization/event-serializer';
import { EventStore } from '../../store/event-store';
import type { EventStorage, EventToAppend } from '../../store/event-storage';

/** The facade over the storage under test, with no event classes registered. */
export function eventStoreOver(storage: EventStorage): EventStore {
  const registry = new EventRegistry();
  return new EventStore(storage, new EventSerializer(registry, {}), registry, {});
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a rejection, but the call resolved'),
    (error: unknown) => error,
  );
}

export function newStreamId(): string {
  return `contract-${randomUUID()}`;
}

export function newProcessor(): string {
  return `processor-${randomUUID()}`;
}

export function anEvent(
  data: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
  schemaVersion = 1,
): EventToAppend {
  return {
    eventId: randomUUID(),
    type: 'ContractTested',
    schemaVersion,
    data: JSON.stringify(data),
    metadata: JSON.stringify(metadata),
  };
}

export function anEvents(count: number): EventToAppend[] {
  return range(1, count).map((n) => anEvent({ n }));
}

export function aSnapshot(streamId: string, aggregateType: string, version: number, state: string) {
  return {
    streamId,
    aggregateType,
    version,
    schemaVersion: 1,
    state: Buffer.from(state),
    createdAt: new Date(),
  };
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
