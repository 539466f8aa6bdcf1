import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { waitUntil } from '../../../support/eventually';
import { usePostgresDatabase } from '../../../support/postgres-database';
import type { DispatchContext } from '@cello/cqrs/bus/dispatch-context';
import { CommandBus } from '@cello/cqrs/command-bus';
import { CommandHandler } from '@cello/cqrs/decorators/command-handler.decorator';
import { CommandTimeoutError } from '@cello/cqrs/errors/command-timeout.error';
import { Command } from '@cello/cqrs/message/command';
import { bootCqrsApp } from '../testing/boot-cqrs-app';
import { TypeOrmTransactionMiddleware } from '@cello/cqrs/middleware/typeorm-transaction.middleware';

class ReserveStockCommand extends Command<void> {
  constructor(
    readonly sku: string,
    /** How the handler misbehaves while it holds the transaction. */
    readonly stall: 'slow-query' | 'hang-after-write' | 'throw-after-write',
  ) {
    super();
  }
}

@CommandHandler(ReserveStockCommand, { timeout: 0.05 })
class ReserveStockHandler {
  async execute(command: ReserveStockCommand, context: DispatchContext): Promise<void> {
    const tx = TypeOrmTransactionMiddleware.queryRunner(context);
    if (command.stall === 'slow-query') {
      await tx.query('SELECT pg_sleep(5)');
      return;
    }
    await tx.query('INSERT INTO reservations (sku) VALUES ($1)', [command.sku]);
    if (command.stall === 'throw-after-write') throw new Error(`out of stock: ${command.sku}`);
    await new Promise(() => undefined); // never settles: only the time limit ends it
  }
}

describe('TypeOrmTransactionMiddleware', () => {
  const db = usePostgresDatabase();
  let dataSource: DataSource;
  let observer: DataSource;

  beforeAll(async () => {
    dataSource = await new DataSource({
      type: 'postgres',
      url: db.url,
      extra: { max: 10 },
    }).initialize();
    observer = await new DataSource({
      type: 'postgres',
      url: db.url,
      extra: { max: 1 },
    }).initialize();
    await observer.query('CREATE TABLE reservations (id serial PRIMARY KEY, sku text NOT NULL)');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await observer?.destroy();
  });

  function pool(): Pool {
    return (dataSource.driver as unknown as { master: Pool }).master;
  }

  /** Sessions of the test database other than the observer's own, by state. */
  async function otherSessions(): Promise<{ state: string; query: string }[]> {
    return observer.query(
      `SELECT state, query FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
    );
  }

  describe('when 1,000 dispatches time out while holding a transaction', () => {
    it('should leave no connection checked out, no open transaction and no row written', async () => {
      // Given
      const app = await bootCqrsApp(
        { middleware: [new TypeOrmTransactionMiddleware(dataSource)] },
        { providers: [ReserveStockHandler] },
      );
      const bus = app.get(CommandBus);
      const stalls = ['slow-query', 'hang-after-write', 'throw-after-write'] as const;

      // When: 1,000 dispatches, 20 at a time through a pool of 10
      const outcomes = { timeout: 0, thrown: 0, other: 0 };
      let next = 0;
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          while (next < 1_000) {
            const i = next++;
            const error = await bus
              .dispatch(new ReserveStockCommand(`sku-${i}`, stalls[i % 3]))
              .then(
                () => undefined,
                (e: unknown) => e,
              );
            if (error instanceof CommandTimeoutError) outcomes.timeout += 1;
            else if (error instanceof Error && error.message.startsWith('out of stock'))
              outcomes.thrown += 1;
            else outcomes.other += 1;
          }
        }),
      );

      // Then: every dispatch failed the way its handler asked for
      expect(outcomes.other).toBe(0);
      expect(outcomes.thrown).toBeGreaterThan(0);
      expect(outcomes.timeout + outcomes.thrown).toBe(1_000);
      // And the pool has every connection back (none checked out, nobody waiting). Waited for
      // together: a discarded client is only replaced for a waiter once its socket has closed,
      // so "all idle" holds at 0 of 0 while acquisitions of timed-out dispatches still queue.
      await waitUntil(
        'all pool clients are idle and no acquisition is queued',
        async () => pool().totalCount === pool().idleCount && pool().waitingCount === 0,
        60_000,
      );
      expect(pool().totalCount).toBeLessThanOrEqual(10);
      // And the server holds no transaction and no running statement for us
      await waitUntil(
        'no session is active or idle in transaction',
        async () => (await otherSessions()).every((session) => session.state === 'idle'),
        60_000,
      );
      expect((await otherSessions()).length).toBeLessThanOrEqual(10);
      // And nothing of the failed transactions was committed
      expect(await observer.query('SELECT count(*)::int AS n FROM reservations')).toEqual([
        { n: 0 },
      ]);
      // And the pool still works
      expect(await dataSource.query('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
      await app.close();
    });
  });

  describe('when a dispatch times out while its connection is still queued', () => {
    it('should give the connection straight back when it arrives, without running the handler', async () => {
      // Given: a pool of one, held by someone else
      const small = await new DataSource({
        type: 'postgres',
        url: db.url,
        extra: { max: 1 },
      }).initialize();
      const smallPool = (small.driver as unknown as { master: Pool }).master;
      const holder = small.createQueryRunner();
      await holder.connect();
      let ran = 0;
      class CountStockCommand extends Command<void> {}
      @CommandHandler(CountStockCommand, { timeout: 0.05 })
      class CountStockHandler {
        async execute(): Promise<void> {
          ran += 1;
        }
      }
      const app = await bootCqrsApp(
        { middleware: [new TypeOrmTransactionMiddleware(small)] },
        { providers: [CountStockHandler] },
      );

      // When: the dispatch times out in the pool's queue, then the connection comes free
      const error = await app
        .get(CommandBus)
        .dispatch(new CountStockCommand())
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const queuedAfterTimeout = smallPool.waitingCount;
      await holder.release();

      // Then: the late acquisition took the connection and handed it back at once
      expect(error).toBeInstanceOf(CommandTimeoutError);
      expect(queuedAfterTimeout).toBe(1);
      await waitUntil(
        'the late acquisition gave its connection back',
        () => smallPool.waitingCount === 0 && smallPool.idleCount === smallPool.totalCount,
        60_000,
      );
      expect(ran).toBe(0);
      // And nothing holds the connection: a query of the app's own gets it
      expect(await small.query('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
      await app.close();
      await small.destroy();
    });
  });

  describe('when the handler succeeds', () => {
    it('should commit its writes', async () => {
      // Given
      class AddReservationCommand extends Command<void> {}
      @CommandHandler(AddReservationCommand)
      class AddReservationHandler {
        async execute(_c: AddReservationCommand, context: DispatchContext): Promise<void> {
          await TypeOrmTransactionMiddleware.manager(context).query(
            "INSERT INTO reservations (sku) VALUES ('committed')",
          );
        }
      }
      const app = await bootCqrsApp(
        { middleware: [new TypeOrmTransactionMiddleware(dataSource)] },
        { providers: [AddReservationHandler] },
      );
      // When
      await app.get(CommandBus).dispatch(new AddReservationCommand());
      // Then
      expect(await observer.query("SELECT sku FROM reservations WHERE sku = 'committed'")).toEqual([
        { sku: 'committed' },
      ]);
      expect(pool().totalCount).toBe(pool().idleCount);
      await app.close();
    });
  });
});
