import type { ParkedEvent, StoredEvent } from '../event-storage';

/** Events processors gave up on, kept in insertion (oldest-first) order. */
export class MemoryParkedEvents {
  private readonly parked = new Map<number, ParkedEvent>();
  private nextId = 1;

  /** Parks `event` for `processor` with the error and the attempt count. */
  park(processor: string, event: StoredEvent, error: string, attempts: number): void {
    const id = this.nextId++;
    this.parked.set(id, {
      id,
      processor,
      position: event.position,
      eventId: event.eventId,
      streamId: event.streamId,
      type: event.type,
      error,
      attempts,
      parkedAt: new Date(),
    });
  }

  /** Parked events, oldest first; all processors when none is named. */
  list(processor?: string): ParkedEvent[] {
    const all = [...this.parked.values()];
    return processor === undefined ? all : all.filter((p) => p.processor === processor);
  }

  /** Removes a parked event; unknown ids are ignored. */
  remove(id: number): void {
    this.parked.delete(id);
  }
}
