// The plain TypeScript way of an in-memory event store, for comparison with
// the native log: records as JS objects in a global array, a Map of streams,
// a Map of event ids. Same rules as MemoryEventStorage (expected version,
// idempotent re-sends, all-or-nothing), same output shape (payload parsed on
// read, because it is stored as the JSON text the facade hands over).
'use strict';

class JsMemoryStore {
  constructor() {
    this.records = [];
    this.streams = new Map();
    this.ids = new Map();
  }

  async append(streamId, events, expected) {
    const stream = this.streams.get(streamId);
    const actual = stream ? stream.length : 0;
    const known = events.filter((e) => this.ids.has(e.eventId)).length;
    if (known === events.length) {
      const positions = events.map((e) => this.ids.get(e.eventId).position);
      return {
        streamVersion: this.ids.get(events[events.length - 1].eventId).version,
        positions,
        duplicate: true,
      };
    }
    if (known > 0) throw new Error('event-id-conflict');
    if (!(
      expected === 'any' ||
      (expected === 'no_stream' && actual === 0) ||
      (expected === 'stream_exists' && actual > 0) ||
      expected === actual
    )) {
      throw new Error('concurrency');
    }
    const list = stream ?? [];
    if (!stream) this.streams.set(streamId, list);
    const recordedAt = Date.now();
    const positions = [];
    for (const event of events) {
      const record = {
        position: this.records.length + 1,
        streamId,
        version: list.length + 1,
        eventId: event.eventId,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: event.data,
        metadata: event.metadata,
        recordedAt,
      };
      this.records.push(record);
      list.push(record);
      this.ids.set(event.eventId, record);
      positions.push(record.position);
    }
    return { streamVersion: list.length, positions, duplicate: false };
  }

  async readAll({ fromPosition = 0, limit = Infinity } = {}) {
    const start = Math.max(fromPosition, 1) - 1;
    return this.records.slice(start, start + limit).map(toStored);
  }

  async readStream(streamId, { fromVersion = 1, limit = Infinity } = {}) {
    const list = this.streams.get(streamId) ?? [];
    return list.slice(fromVersion - 1, fromVersion - 1 + limit).map(toStored);
  }
}

function toStored(r) {
  return {
    position: r.position,
    streamId: r.streamId,
    version: r.version,
    eventId: r.eventId,
    type: r.type,
    schemaVersion: r.schemaVersion,
    data: JSON.parse(r.data),
    metadata: JSON.parse(r.metadata),
    recordedAt: new Date(r.recordedAt),
  };
}

module.exports = { JsMemoryStore };
