import type { INestApplicationContext } from '@nestjs/common';
import { connect, type NatsConnection } from 'nats';
import type { Client } from 'pg';
import { waitUntil } from '../support/eventually';
import {
  connectToTestDatabase,
  createTestDatabase,
  type TestDatabase,
} from '../support/postgres-database';
import { startAppender } from './support/event-appender';
import { natsUrl, startPrivateNats, uniqueRelayNames, type PrivateNats } from './support/nats';
import { EFFECTS_TABLE, startParcelConsumer } from './support/parcel-consumer';
import { startParcelTraffic } from './support/parcel-traffic';
import { deliveryReport } from './support/relay-checks';
import { killRelayProcesses, startRelayProcess } from './support/relay-process';

const PARCELS = ['p1', 'p2', 'p3', 'p4'];

/** One test's world: the publisher's database, the consumer's, the appender and the consumer. */
interface World {
  publisherDb: TestDatabase;
  consumerDb: TestDatabase;
  consumerClient: Client;
  appender: Awaited<ReturnType<typeof startAppender>>;
  consumer: INestApplicationContext;
  nc: NatsConnection;
  names: { stream: string; prefix: string };
  relayEnv: Record<string, string>;
}

async function createWorld(label: string, servers: string): Promise<World> {
  const publisherDb = await createTestDatabase(`relay-${label}-pub`);
  const consumerDb = await createTestDatabase(`relay-${label}-sub`);
  const consumerClient = await connectToTestDatabase(consumerDb.url);
  await consumerClient.query(EFFECTS_TABLE);
  const names = uniqueRelayNames(label);
  const appender = await startAppender(publisherDb.url);
  const consumer = await startParcelConsumer({
    servers,
    stream: names.stream,
    durableName: 'parcels',
    database: consumerDb.url,
  });
  const nc = await connect({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  return {
    publisherDb,
    consumerDb,
    consumerClient,
    appender,
    consumer,
    nc,
    names,
    relayEnv: {
      DATABASE_URL: publisherDb.url,
      NATS_URL: servers,
      RELAY_STREAM: names.stream,
      RELAY_PREFIX: names.prefix,
    },
  };
}

async function disposeWorld(world: World | undefined): Promise<void> {
  if (!world) return;
  await world.consumer.close();
  await world.appender.app.close();
  await world.nc.close().catch(() => undefined);
  await world.consumerClient.end();
  await world.consumerDb.drop();
  await world.publisherDb.drop();
}

/** Messages in the test's JetStream stream (0 while it does not exist or the server is away). */
async function storedMessages(world: World): Promise<number> {
  try {
    const jsm = await world.nc.jetstreamManager({ timeout: 2000 });
    return (await jsm.streams.info(world.names.stream)).state.messages;
  } catch {
    return 0;
  }
}

/** Waits until the consumer handled `total` events, then checks: each once, in stream order. */
async function expectEachOnceInOrder(world: World, total: number): Promise<void> {
  await waitUntil(
    `the consumer handled all ${total} events`,
    async () => (await deliveryReport(world.consumerClient)).handled >= total,
    60_000,
  );
  expect(await deliveryReport(world.consumerClient)).toEqual({
    handled: total,
    duplicated: [],
    outOfOrder: [],
    inbox: total,
  });
  // JetStream itself holds each event once: re-sends fell in the duplicate window.
  expect(await storedMessages(world)).toBe(total);
}

describe('the relay under crashes, a nats-server restart and two instances', () => {
  let world: World | undefined;
  let privateNats: PrivateNats | undefined;

  afterEach(async () => {
    await killRelayProcesses();
    await disposeWorld(world);
    world = undefined;
    await privateNats?.dispose();
    privateNats = undefined;
  });

  it('should deliver every event exactly once, in order, when the relay is killed with SIGKILL again and again while it publishes', async () => {
    // Given: a relay process publishing scans appended all along
    world = await createWorld('kill', natsUrl());
    const traffic = startParcelTraffic(world.appender, PARCELS);
    let relay = await startRelayProcess(world.relayEnv);
    const killedAt: number[] = [];

    // When: it is killed 6 times, each time once it has published more, and restarted
    for (let kill = 0; kill < 6; kill++) {
      const before = await storedMessages(world);
      await waitUntil(
        'the relay publishes',
        async () => (await storedMessages(world!)) > before,
        60_000,
      );
      await relay.kill();
      killedAt.push(await storedMessages(world));
      relay = await startRelayProcess(world.relayEnv);
    }
    const total = await traffic.stop();

    // Then: every appended scan reached the handler once, each parcel in order
    await expectEachOnceInOrder(world, total);
    // and the kills landed while events were still to publish
    expect(killedAt.filter((count) => count < total)).toHaveLength(6);
  }, 150_000);

  it('should deliver every event exactly once, in order, across a restart of nats-server in the middle of the stream', async () => {
    // Given: a private nats-server storing JetStream in its own folder, and a relay on it
    privateNats = await startPrivateNats();
    world = await createWorld('restart', privateNats.url);
    const traffic = startParcelTraffic(world.appender, PARCELS);
    await startRelayProcess(world.relayEnv);
    await waitUntil(
      'the relay published 100 events',
      async () => (await storedMessages(world!)) >= 100,
      60_000,
    );

    // When: nats-server stops while events keep coming, then starts again on the same store
    await privateNats.stop();
    const appendedAtStop = traffic.appended();
    await waitUntil(
      '40 more events are appended',
      () => traffic.appended() >= appendedAtStop + 40,
      30_000,
    );
    await privateNats.start();
    await waitUntil(
      'the relay publishes again',
      async () => (await storedMessages(world!)) > appendedAtStop,
      60_000,
    );
    const total = await traffic.stop();

    // Then: every scan reached the handler once, in order, and nothing was lost in the restart
    await expectEachOnceInOrder(world, total);
  }, 150_000);

  it('should deliver every event exactly once, in order, with two relay instances running at once', async () => {
    // Given: two relay processes of the same application
    world = await createWorld('two', natsUrl());
    const traffic = startParcelTraffic(world.appender, PARCELS);
    const [first, second] = await Promise.all([
      startRelayProcess(world.relayEnv),
      startRelayProcess(world.relayEnv),
    ]);

    // When: events come while both run, then the one holding the lease is killed
    await waitUntil(
      'the relays published 100 events',
      async () => (await storedMessages(world!)) >= 100,
      60_000,
    );
    // (the subscription machinery logs where a subscriber runs: one relay holds the lease)
    const runsHere = /Subscriber "cello-relay" runs here/;
    await waitUntil(
      'one relay holds the lease',
      () => [first, second].some((r) => runsHere.test(r.output())),
      30_000,
    );
    const holder = runsHere.test(first.output()) ? first : second;
    await holder.kill();
    const atKill = await storedMessages(world);
    await waitUntil(
      'the other relay takes over',
      async () => (await storedMessages(world!)) > atKill + 40,
      60_000,
    );
    const total = await traffic.stop();

    // Then: every scan reached the handler once, in order
    await expectEachOnceInOrder(world, total);
  }, 150_000);
});
