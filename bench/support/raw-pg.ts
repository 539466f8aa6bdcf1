import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { ORDER_PLACED, orderPlacedData } from './order-placed';
import { copyFrom, copyText } from './pg-copy';

/**
 * The database's own ceiling for the rows an event store writes: the same
 * columns as a typical events table (stream, version, id, type, jsonb data and
 * metadata, a bigserial position, unique (stream, version)), written with
 * plain `pg` and no event-store logic.
 */
export const RAW_EVENTS_DDL = `
  CREATE TABLE raw_events (
    position bigserial PRIMARY KEY,
    stream_id text NOT NULL,
    version integer NOT NULL,
    event_id uuid NOT NULL UNIQUE,
    type text NOT NULL,
    data jsonb NOT NULL,
    metadata jsonb NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, version)
  )`;

export const RAW_METADATA = JSON.stringify({ correlationId: 'bench' });

const INSERT_ONE = {
  name: 'raw-insert-one',
  text: `INSERT INTO raw_events (stream_id, version, event_id, type, data, metadata)
         VALUES ($1, $2, $3, $4, $5, $6)`,
};

const INSERT_UNNEST = {
  name: 'raw-insert-unnest',
  text: `INSERT INTO raw_events (stream_id, version, event_id, type, data, metadata)
         SELECT * FROM unnest($1::text[], $2::int[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])`,
};

/** Connects a client to `url` and creates the raw events table. */
export async function rawClient(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(RAW_EVENTS_DDL);
  return client;
}

/** One single-row INSERT, its own transaction (autocommit), prepared. */
export function insertOne(client: Client | Pool, streamId: string, version: number, i: number) {
  return client.query({
    ...INSERT_ONE,
    values: [
      streamId,
      version,
      randomUUID(),
      ORDER_PLACED,
      JSON.stringify(orderPlacedData(streamId, i)),
      RAW_METADATA,
    ],
  });
}

/** `count` rows of one stream from `fromVersion`, in one `INSERT ... SELECT FROM unnest(...)`. */
export function insertUnnest(client: Client, streamId: string, fromVersion: number, count: number) {
  const streams: string[] = [];
  const versions: number[] = [];
  const ids: string[] = [];
  const types: string[] = [];
  const data: string[] = [];
  const metadata: string[] = [];
  for (let i = 0; i < count; i++) {
    streams.push(streamId);
    versions.push(fromVersion + i);
    ids.push(randomUUID());
    types.push(ORDER_PLACED);
    data.push(JSON.stringify(orderPlacedData(streamId, fromVersion + i)));
    metadata.push(RAW_METADATA);
  }
  return client.query({
    ...INSERT_UNNEST,
    values: [streams, versions, ids, types, data, metadata],
  });
}

/** The COPY text lines of `count` events spread over `streams` streams. */
export function copyLines(count: number, streams: number): string[] {
  const streamIds = Array.from({ length: streams }, () => randomUUID());
  const perStream = Math.ceil(count / streams);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const stream = streamIds[Math.floor(i / perStream)];
    const version = (i % perStream) + 1;
    const data = copyText(JSON.stringify(orderPlacedData(stream, i)));
    lines.push(
      `${stream}\t${version}\t${randomUUID()}\t${ORDER_PLACED}\t${data}\t${copyText(RAW_METADATA)}\n`,
    );
  }
  return lines;
}

/** Copies prepared lines into `raw_events`. */
export function copyRawEvents(client: Client, lines: readonly string[]): Promise<number> {
  return copyFrom(
    client,
    'COPY raw_events (stream_id, version, event_id, type, data, metadata) FROM STDIN',
    lines,
  );
}
