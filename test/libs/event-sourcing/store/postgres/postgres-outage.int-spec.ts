import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { usePostgresDatabase } from '../../../../support/postgres-database';
import { EventStoreUnavailableError } from '@cello/event-sourcing/errors/event-store-unavailable.error';
import type { EventToAppend } from '@cello/event-sourcing/store/event-storage';
import { PostgresEventStorage } from '@cello/event-sourcing/store/postgres/postgres-event-storage';

/**
 * A TCP proxy in front of the shared PostgreSQL that the test can take down
 * (closing every connection) and bring back, on the same port: an outage
 * without touching the server other test files use.
 */
class OutageProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly target: { host: string; port: number },
    readonly port: number,
  ) {}

  static async reservePort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    return port;
  }

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  }
}

describe('PostgresEventStorage during a database outage', () => {
  const db = usePostgresDatabase();
  let proxy: OutageProxy;
  let proxiedUrl: string;

  beforeEach(async () => {
    const real = new URL(db.url);
    proxy = new OutageProxy(
      { host: real.hostname, port: Number(real.port || 5432) },
      await OutageProxy.reservePort(),
    );
    const url = new URL(db.url);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    proxiedUrl = url.toString();
  });

  afterEach(async () => {
    await proxy.down();
  });

  it('should fail init while the database is down, and succeed once it is back', async () => {
    // Given
    const storage = PostgresEventStorage.fromUrl(proxiedUrl, { connectionTimeoutMs: 1000 });

    try {
      // When the database is down
      await expect(storage.init()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(storage.append(`o-${randomUUID()}`, [anEvent()], 'any')).rejects.toBeInstanceOf(
        EventStoreUnavailableError,
      );

      // Then, once it is up, the same instance initialises and works
      await proxy.up();
      await storage.init();
      const result = await storage.append(`o-${randomUUID()}`, [anEvent()], 'no_stream');
      expect(result.streamVersion).toBe(1);
    } finally {
      await storage.close();
    }
  });

  it('should fail in-flight and new work with EventStoreUnavailableError, then recover by itself', async () => {
    // Given a working storage under load, with a listener
    await proxy.up();
    const storage = PostgresEventStorage.fromUrl(proxiedUrl, {
      connectionTimeoutMs: 1000,
      statementTimeoutMs: 3000,
      poolSize: 4,
    });
    await storage.init();
    let wakes = 0;
    storage.onAppended(() => (wakes += 1));
    const acknowledged: string[] = [];
    const failures: unknown[] = [];
    let writing = true;
    const writers = Array.from({ length: 4 }, async () => {
      while (writing) {
        const streamId = `o-${randomUUID()}`;
        try {
          await storage.append(streamId, [anEvent()], 'no_stream');
          acknowledged.push(streamId);
        } catch (error) {
          failures.push(error);
          await sleep(50);
        }
      }
    });

    try {
      await waitFor(() => acknowledged.length > 20);

      // When the database goes away
      await proxy.down();
      const failedBefore = failures.length;
      await waitFor(() => failures.length > failedBefore + 4);

      // Then every failure is an unavailable error, and ping says so
      expect(failures.every((f) => f instanceof EventStoreUnavailableError)).toBe(true);
      await expect(storage.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);

      // When it comes back
      await proxy.up();
      const ackedBefore = acknowledged.length;
      await waitFor(() => acknowledged.length > ackedBefore + 20, 15_000);
      const wakesBefore = wakes;
      await waitFor(() => wakes > wakesBefore, 15_000);

      // Then work resumes without a restart, and everything acknowledged is stored
      await expect(storage.ping()).resolves.toBeUndefined();
      writing = false;
      await Promise.all(writers);
      for (const streamId of acknowledged) {
        expect(await storage.streamVersion(streamId)).toBe(1);
      }
    } finally {
      writing = false;
      await Promise.all(writers);
      await storage.close();
    }
  });
});

function anEvent(): EventToAppend {
  return {
    eventId: randomUUID(),
    type: 'OutageTested',
    schemaVersion: 1,
    data: '{}',
    metadata: '{}',
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}
