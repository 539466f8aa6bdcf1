import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { connect, headers as natsHeaders, type NatsConnection, type PubAck } from 'nats';
import { EventSourcingModule, EventStore, SubscriptionManager } from '@cello/event-sourcing';
import { DEFAULT_RELAY_NAME, RelayModule } from '@cello/relay';
import { bootApp } from '../support/boot-app';
import { OrderPlaced, orderPlaced } from '../support/cello-fixtures';
import { startProfile, stopProfile } from '../support/profiler';
import { secondsSince } from '../support/timing';
import type { BenchContext, Measurement } from '../support/workload';

/** Events per publish batch (the relay's `batchSize`) and ack window of the bare loop. */
export const RELAY_WINDOW = 500;
/** Stops a run that would not finish in the suite's budget; the rate stays honest. */
const TIME_CAP_MS = 30_000;

/** The NATS server of the bench: NATS_URL, else the one scripts/ensure-nats.js starts. */
async function natsUrl(): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ensureNats } = require('../../scripts/ensure-nats') as {
    ensureNats(options?: { status?: () => void }): Promise<string>;
  };
  return ensureNats({ status: () => undefined });
}

function uniqueNames(): { stream: string; prefix: string } {
  const suffix = randomBytes(4).toString('hex');
  return { stream: `BENCH_RELAY_${suffix}`.toUpperCase(), prefix: `bench-relay-${suffix}` };
}

async function dropStream(nc: NatsConnection, stream: string): Promise<void> {
  const jsm = await nc.jetstreamManager();
  await jsm.streams.delete(stream).catch(() => undefined);
}

/** Streams of 100 events each, appended before timing. */
function prefillStreams(total: number): string[] {
  return Array.from({ length: Math.ceil(total / 100) }, () => randomUUID());
}

/**
 * The relay catching up: `total` OrderPlaced events appended first (not timed),
 * then RelayModule's subscriber started; events per second from its start until
 * its checkpoint reached the head, i.e. every event acked by JetStream
 * (read from PostgreSQL, published in batches of RELAY_WINDOW, acks awaited,
 * checkpoint written).
 */
export async function relayCatchUp(context: BenchContext, total: number): Promise<Measurement> {
  const servers = await natsUrl();
  const names = uniqueNames();
  const app = await bootApp([
    EventSourcingModule.forRoot({
      storage: context.databaseUrl,
      snapshotInterval: 0,
      events: [OrderPlaced],
      subscriptions: { autoStart: false },
    }),
    RelayModule.forRoot({
      servers,
      stream: names.stream,
      subjectPrefix: names.prefix,
      events: [OrderPlaced],
      batchSize: RELAY_WINDOW,
    }),
  ]);
  const store = app.get(EventStore);
  const manager = app.get(SubscriptionManager);
  let head = 0;
  const streams = prefillStreams(total);
  for (let i = 0; i < streams.length; i += 4) {
    const results = await Promise.all(
      streams.slice(i, i + 4).map((id) =>
        store.append(
          id,
          Array.from({ length: 100 }, (_, v) => orderPlaced(id, v)),
          { expectedVersion: 0 },
        ),
      ),
    );
    for (const r of results) head = Math.max(head, ...r.positions);
  }
  const nc = await connect({ servers });
  await context.checkpoint();

  await startProfile();
  const start = process.hrtime.bigint();
  manager.start(DEFAULT_RELAY_NAME);
  let capped = false;
  try {
    await manager.waitForPosition(head, {
      subscribers: [DEFAULT_RELAY_NAME],
      timeoutMs: TIME_CAP_MS,
    });
  } catch {
    capped = true;
  }
  const seconds = secondsSince(start);
  await stopProfile();
  const jsm = await nc.jetstreamManager();
  const stored = (await jsm.streams.info(names.stream)).state.messages;
  await app.close();
  await dropStream(nc, names.stream);
  await nc.close();
  return {
    value: stored / seconds,
    detail: capped
      ? `capped at ${TIME_CAP_MS / 1000} s: ${stored} of ${total} events acked`
      : `${stored.toLocaleString('en-US')} events, batches of ${RELAY_WINDOW}`,
  };
}

/**
 * The bare loop: the `nats` client publishing the same payloads and headers
 * (with Nats-Msg-Id) to a stream of its own, RELAY_WINDOW publishes in flight,
 * then all their acks awaited, window after window. No database.
 */
export async function barePublishLoop(context: BenchContext, total: number): Promise<Measurement> {
  const servers = await natsUrl();
  const names = uniqueNames();
  const nc = await connect({ servers });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: names.stream, subjects: [`${names.prefix}.>`] });
  const js = nc.jetstream();
  const encoder = new TextEncoder();
  const messages = prefillStreams(total).flatMap((id) =>
    Array.from({ length: 100 }, (_, v) => {
      const event = orderPlaced(id, v);
      const headers = natsHeaders();
      headers.set('Cello-Event-Type', 'OrderPlaced');
      headers.set('Cello-Stream-Id', id);
      headers.set('Cello-Stream-Version', String(v + 1));
      headers.set('Cello-Metadata', '{}');
      return { id: event.eventId, headers, data: encoder.encode(JSON.stringify(event)) };
    }),
  );
  await context.checkpoint();

  const start = process.hrtime.bigint();
  for (let i = 0; i < messages.length; i += RELAY_WINDOW) {
    const window: Promise<PubAck>[] = messages
      .slice(i, i + RELAY_WINDOW)
      .map((m) =>
        js.publish(`${names.prefix}.OrderPlaced`, m.data, { msgID: m.id, headers: m.headers }),
      );
    await Promise.all(window);
  }
  const seconds = secondsSince(start);
  const stored = (await jsm.streams.info(names.stream)).state.messages;
  await dropStream(nc, names.stream);
  await nc.close();
  return {
    value: stored / seconds,
    detail: `${stored.toLocaleString('en-US')} messages, windows of ${RELAY_WINDOW}`,
  };
}
