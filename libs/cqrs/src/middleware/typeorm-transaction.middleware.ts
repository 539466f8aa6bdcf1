import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import type { DispatchContext } from '../bus/dispatch-context';
import type { BusMiddleware, NextFn } from './bus-middleware';

/** Key under which the transaction's QueryRunner sits in the dispatch context. */
const QUERY_RUNNER = Symbol('cello:cqrs:query-runner');

/** Options of {@link TypeOrmTransactionMiddleware}. */
export interface TypeOrmTransactionOptions {
  /** Isolation level of each transaction. Default: the DataSource's. */
  readonly isolationLevel?: IsolationLevel;
  /**
   * On PostgreSQL, also bound every statement by the dispatch's time limit
   * (`SET LOCAL statement_timeout`), so the server stops the work too. Default true.
   */
  readonly statementTimeout?: boolean;
}

type DiscardableRunner = QueryRunner & {
  releasePostgresConnection?: (error?: unknown) => Promise<void>;
};

/**
 * Runs each handler in a database transaction on its own connection:
 * commit on success, rollback on error, and the connection always goes back.
 *
 * On a timeout the connection is handed back at once, not when the handler
 * finally returns: the dispatch's `AbortSignal` discards it from the pool
 * (PostgreSQL then rolls the transaction back), so a handler stuck in a slow
 * query cannot hold connections past its limit. Handlers read the transaction
 * with `TypeOrmTransactionMiddleware.manager(context)`.
 */
export class TypeOrmTransactionMiddleware implements BusMiddleware {
  constructor(
    private readonly dataSource: DataSource,
    private readonly options: TypeOrmTransactionOptions = {},
  ) {}

  /** The transaction's QueryRunner inside a handler run by this middleware. */
  static queryRunner(context: DispatchContext): QueryRunner {
    const runner = context.get<QueryRunner>(QUERY_RUNNER);
    if (runner === undefined) {
      throw new Error(
        'No transaction in this dispatch: add TypeOrmTransactionMiddleware to the middleware of ' +
          `${context.messageType.name}.`,
      );
    }
    return runner;
  }

  /** The transaction's EntityManager inside a handler run by this middleware. */
  static manager(context: DispatchContext): EntityManager {
    return TypeOrmTransactionMiddleware.queryRunner(context).manager;
  }

  /** Runs the rest of the dispatch in a transaction; rolls back on error or abort. */
  async handle(message: object, context: DispatchContext, next: NextFn): Promise<unknown> {
    const runner = this.dataSource.createQueryRunner() as DiscardableRunner;
    let boundedStatements = false;
    let connected = false;
    let released = false;
    const discard = (): void => {
      // Before the pool hands a connection over there is nothing to discard; the check after connect() releases it.
      if (released || !connected) return;
      released = true;
      // Releasing with an error makes pg-pool destroy the client instead of reusing it.
      const reason = context.signal.reason as unknown;
      void (runner.releasePostgresConnection?.(reason) ?? runner.release()).catch(() => undefined);
    };
    const onAbort = (): void => discard();
    context.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await runner.connect();
      connected = true;
      // Timed out while waiting for a connection: give it straight back.
      if (context.aborted) throw context.signal.reason;
      await runner.startTransaction(this.options.isolationLevel);
      if (this.options.statementTimeout !== false && context.timeoutMs > 0 && this.isPostgres()) {
        await runner.query(`SET LOCAL statement_timeout = ${Math.ceil(context.timeoutMs)}`);
        boundedStatements = true;
      }
      context.set(QUERY_RUNNER, runner);
      const result = await next();
      if (context.aborted) throw context.signal.reason;
      await runner.commitTransaction();
      return result;
    } catch (error) {
      // The server cancelled a statement at the dispatch's own limit, maybe a moment before the
      // bus noticed: wait for the bus, so the caller gets the timeout error rather than this one.
      if (boundedStatements && isQueryCanceled(error) && !context.aborted) {
        await new Promise((resolve) =>
          context.signal.addEventListener('abort', resolve, { once: true }),
        );
      }
      if (!released && runner.isTransactionActive) {
        await runner.rollbackTransaction().catch(() => discard());
      }
      throw error;
    } finally {
      context.signal.removeEventListener('abort', onAbort);
      if (!released) {
        released = true;
        await runner.release();
      }
    }
  }

  private isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }
}

/** PostgreSQL's `query_canceled` (57014), raised when `statement_timeout` fires. */
function isQueryCanceled(error: unknown): boolean {
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  return candidate?.code === '57014' || candidate?.driverError?.code === '57014';
}
