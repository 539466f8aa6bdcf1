import { isCelloError } from '@cello/core';
import { isMysqlInvalidInput } from '@cello/core/internal';
import type { Pool as CallbackPool, ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Pool, PoolConnection } from 'mysql2/promise';
import type * as TypeOrm from 'typeorm';
import type { DataSource } from 'typeorm';
import { loadOptionalPeer } from '@cello/core/internal';
import type { SagaContext } from '../../definition/saga-step-execution';
import { InvalidSagaOptionsError } from '../../errors/invalid-saga-options.error';
import { SagaInvalidInputError } from '../../errors/saga-invalid-input.error';
import { SagaStorageUnavailableError } from '../../errors/saga-storage-unavailable.error';
import type { SagaMachineState, SagaStatus } from '../../machine/saga-machine.types';
import { TERMINAL_SAGA_STATUSES } from '../../machine/saga-machine.types';
import { WriteCoalescer } from '../postgres/write-coalescer';
import type {
  SagaClaimer,
  SagaHeartbeat,
  SagaListQuery,
  SagaRecord,
  SagaStorage,
  SagaWrite,
} from '../saga-storage';
import { runMysqlSagaMigrations } from './mysql-saga-migrator';
import { mysqlSagaTables, type MysqlSagaTables } from './mysql-saga-tables';

/** Options of the MySQL/MariaDB saga storage. */
export interface MysqlSagaStorageOptions {
  /** MySQL database of the tables. Default: the connection's database. */
  schema?: string;
  /** Default `cello_saga_`. */
  tablePrefix?: string;
  /** Apply the shipped migrations on open. Default: true. */
  migrationsRun?: boolean;
  /** Pool size when opened from a URL. Default: 10. */
  poolSize?: number;
  /** Send concurrent sagas' writes in one transaction (group commit). Default: true. */
  coalesceWrites?: boolean;
}

interface Row extends RowDataPacket {
  id: string;
  saga_name: string;
  status: SagaStatus;
  state: unknown;
  context: unknown;
  created_at: string;
  updated_at: string;
  lease_owner: string | null;
  lease_incarnation: string | null;
  fencing_token: string | number;
}

type CreateWrite = SagaWrite & { sagaName: string; incarnation?: string };

const COLUMNS =
  'id, saga_name, status, state, context, lease_owner, lease_incarnation, fencing_token, ' +
  "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS created_at, " +
  "DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%s.%fZ') AS updated_at";
const UNFINISHED = "status IN ('running', 'compensating')";
/** Attempts of a transaction that lost a deadlock or timed out waiting for a lock. */
const TRANSACTION_ATTEMPTS = 5;

function ttlMicros(write: SagaWrite): number | null {
  return TERMINAL_SAGA_STATUSES.includes(write.status) ? null : Math.round(write.leaseTtlMs * 1000);
}

/**
 * Saga state in MySQL or MariaDB through a TypeORM DataSource. Every write is
 * fenced: the rows are locked (`SELECT ... FOR UPDATE`), and only those whose
 * owner and fencing token are still the writer's are updated. Recovery claims
 * abandoned sagas with `FOR UPDATE SKIP LOCKED` (MariaDB 10.6+, MySQL 8), so
 * instances scanning together each get different rows.
 */
export class MysqlSagaStorage implements SagaStorage {
  private readonly creates: WriteCoalescer<CreateWrite, boolean>;
  private readonly saves: WriteCoalescer<SagaWrite, boolean>;
  private readonly pool: Pool;

  private constructor(
    private readonly dataSource: DataSource,
    private readonly tables: MysqlSagaTables,
    private readonly ownsDataSource: boolean,
    private readonly skipLocked: boolean,
    coalesce: boolean,
  ) {
    this.pool = (dataSource.driver as unknown as { pool: CallbackPool }).pool.promise();
    const [maxBatch, maxInFlight] = coalesce ? [256, 2] : [1, 64];
    // One refused value (or an existing id) fails the whole statement: each write goes again alone.
    const retryAlone = (error: unknown) => isCelloError(error, SagaInvalidInputError.code);
    this.creates = new WriteCoalescer(
      (items) => this.createBatch(items),
      maxBatch,
      maxInFlight,
      retryAlone,
    );
    this.saves = new WriteCoalescer(
      (items) => this.saveBatch(items),
      maxBatch,
      maxInFlight,
      retryAlone,
    );
  }

  /** Opens a DataSource of its own on a `mysql://` or `mariadb://` URL (closed by `close()`). */
  static async fromUrl(
    url: string,
    options: MysqlSagaStorageOptions = {},
  ): Promise<MysqlSagaStorage> {
    const parsed = new URL(url);
    parsed.protocol = 'mysql:';
    // Optional peers, loaded only here; mysql2 first, so its absence is named rather than reported by TypeORM.
    loadOptionalPeer('mysql2', 'MySQL saga storage', require);
    const { DataSource } = loadOptionalPeer<typeof TypeOrm>(
      'typeorm',
      'MySQL saga storage',
      require,
    );
    const dataSource = new DataSource({
      type: 'mysql',
      url: parsed.toString(),
      poolSize: options.poolSize ?? 10,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      synchronize: false,
      extra: { enableKeepAlive: true },
    });
    await dataSource.initialize();
    try {
      return await MysqlSagaStorage.open(dataSource, options, true);
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
  }

  /** Uses the application's MySQL/MariaDB DataSource (left open by `close()`); its charset must be utf8mb4. */
  static async fromDataSource(
    dataSource: DataSource,
    options: MysqlSagaStorageOptions = {},
  ): Promise<MysqlSagaStorage> {
    const type = dataSource.options.type;
    if (type !== 'mysql' && type !== 'mariadb') {
      throw new InvalidSagaOptionsError('storage', `is a DataSource of type "${type}", not mysql.`);
    }
    const charset = (dataSource.options as { charset?: string }).charset;
    if (!charset || !/^utf8mb4/i.test(charset)) {
      throw new InvalidSagaOptionsError(
        'storage',
        `is a MySQL DataSource with charset "${charset ?? 'UTF8_GENERAL_CI'}": set charset: 'utf8mb4_unicode_ci' so that 4-byte characters survive.`,
      );
    }
    if (!dataSource.isInitialized) await dataSource.initialize();
    return MysqlSagaStorage.open(dataSource, options, false);
  }

  private static async open(
    dataSource: DataSource,
    options: MysqlSagaStorageOptions,
    owns: boolean,
  ): Promise<MysqlSagaStorage> {
    const tables = mysqlSagaTables(options.schema, options.tablePrefix);
    if (options.migrationsRun ?? true) await runMysqlSagaMigrations(dataSource, tables);
    const [{ version }] = (await dataSource.query('SELECT VERSION() AS version')) as {
      version: string;
    }[];
    return new MysqlSagaStorage(
      dataSource,
      tables,
      owns,
      supportsSkipLocked(version),
      options.coalesceWrites ?? true,
    );
  }

  create(write: SagaWrite & { sagaName: string; incarnation?: string }): Promise<boolean> {
    return this.creates.submit(write);
  }

  save(write: SagaWrite): Promise<boolean> {
    return this.saves.submit(write);
  }

  // A multi-row INSERT is all or nothing: when an id exists already (or twice in
  // the batch), the coalescer writes each alone, and a duplicate alone reports false.
  private async createBatch(items: CreateWrite[]): Promise<boolean[]> {
    try {
      await this.insertSagas(items);
      return items.map(() => true);
    } catch (error) {
      if (items.length === 1 && isDuplicateKey(error)) return [false];
      throw error;
    }
  }

  private async insertSagas(items: CreateWrite[]): Promise<void> {
    await this.run(
      'create sagas',
      (c) =>
        c.query(
          `INSERT INTO ${this.tables.instances} ` +
            '(id, saga_name, status, state, context, lease_owner, lease_incarnation, lease_expires_at, fencing_token, created_at, updated_at) VALUES ' +
            items
              .map(
                () =>
                  '(?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND, 1, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))',
              )
              .join(', '),
          items.flatMap((w) => [
            w.id,
            w.sagaName,
            w.status,
            JSON.stringify(w.state),
            JSON.stringify(w.context),
            w.owner,
            w.incarnation ?? null,
            Math.round(w.leaseTtlMs * 1000),
          ]),
        ),
      soleId(items),
    );
  }

  /** Splits a batch so that no saga appears twice in one statement, keeping order. */
  private async saveBatch(items: SagaWrite[]): Promise<boolean[]> {
    const results: boolean[] = [];
    let start = 0;
    while (start < items.length) {
      const seen = new Set<string>();
      let end = start;
      while (end < items.length && !seen.has(items[end].id)) seen.add(items[end++].id);
      results.push(...(await this.saveDistinct(items.slice(start, end))));
      start = end;
    }
    return results;
  }

  /** Locks the rows, keeps the writes whose lease is still the writer's, updates those. */
  private saveDistinct(items: SagaWrite[]): Promise<boolean[]> {
    return this.transaction(
      'save sagas',
      async (c) => {
        const held = await this.lockHeld(
          c,
          items.map((w) => [w.id, w.owner, w.fencingToken]),
        );
        const writes = items.filter((w) => held.has(w.id));
        if (writes.length > 0) {
          await c.query(
            `UPDATE ${this.tables.instances} AS s JOIN (` +
              writes
                .map((_, i) =>
                  i === 0
                    ? 'SELECT ? AS id, ? AS status, ? AS state, ? AS context, ? AS ttl'
                    : 'SELECT ?, ?, ?, ?, ?',
                )
                .join(' UNION ALL ') +
              ') AS u ON s.id = u.id SET s.status = u.status, s.state = u.state, ' +
              's.context = u.context, s.updated_at = UTC_TIMESTAMP(3), ' +
              's.lease_expires_at = IF(u.ttl IS NULL, NULL, UTC_TIMESTAMP(3) + INTERVAL u.ttl MICROSECOND)',
            writes.flatMap((w) => [
              w.id,
              w.status,
              JSON.stringify(w.state),
              JSON.stringify(w.context),
              ttlMicros(w),
            ]),
          );
        }
        return items.map((w) => held.has(w.id));
      },
      false,
      soleId(items),
    );
  }

  /** Row-locks the given sagas; the ids whose owner and fencing token match. */
  private async lockHeld(
    c: PoolConnection,
    leases: readonly (readonly [id: string, owner: string, token: number])[],
  ): Promise<Set<string>> {
    const [rows] = await c.query<RowDataPacket[]>(
      `SELECT id, lease_owner, fencing_token FROM ${this.tables.instances} ` +
        `WHERE id IN (${leases.map(() => '?').join(', ')}) FOR UPDATE`,
      leases.map(([id]) => id),
    );
    const current = new Map(rows.map((r) => [r.id as string, r]));
    return new Set(
      leases
        .filter(([id, owner, token]) => {
          const row = current.get(id);
          return (
            row !== undefined && row.lease_owner === owner && Number(row.fencing_token) === token
          );
        })
        .map(([id]) => id),
    );
  }

  async load(id: string): Promise<SagaRecord | undefined> {
    const [rows] = await this.run('load a saga', (c) =>
      c.query<Row[]>(`SELECT ${COLUMNS} FROM ${this.tables.instances} WHERE id = ?`, [id]),
    );
    return rows[0] && toRecord(rows[0]);
  }

  async list(query: SagaListQuery = {}): Promise<SagaRecord[]> {
    const statuses = query.status === undefined ? undefined : [query.status].flat();
    const where: string[] = [];
    const values: unknown[] = [];
    if (statuses) {
      if (statuses.length === 0) return [];
      where.push(`status IN (${statuses.map(() => '?').join(', ')})`);
      values.push(...statuses);
    }
    if (query.sagaName !== undefined) {
      where.push('saga_name = ?');
      values.push(query.sagaName);
    }
    const [rows] = await this.run('list sagas', (c) =>
      c.query<Row[]>(
        `SELECT ${COLUMNS} FROM ${this.tables.instances}` +
          (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
          ' ORDER BY created_at DESC, id LIMIT ?',
        [...values, query.limit ?? 100],
      ),
    );
    return rows.map(toRecord);
  }

  async claimAbandoned(
    owner: string,
    leaseTtlMs: number,
    limit: number,
    claimer: SagaClaimer = {},
  ): Promise<SagaRecord[]> {
    // SKIP LOCKED: two instances scanning together each get different rows; a
    // locking read sees the latest lease, so a row claimed meanwhile is left out.
    // A live lease is taken only when its process is proven gone (heartbeat
    // lapsed or retired), read first without locks so that heartbeats never wait.
    return this.transaction(
      'claim abandoned sagas',
      async (c) => {
        const [gone] = await c.query<RowDataPacket[]>(
          `SELECT DISTINCT i.incarnation FROM ${this.tables.incarnations} AS i ` +
            `JOIN ${this.tables.instances} AS s ON s.lease_incarnation = i.incarnation ` +
            `WHERE i.expires_at < UTC_TIMESTAMP(3) AND s.${UNFINISHED}`,
        );
        const goneIds = gone.map((r) => r.incarnation as string);
        const busy = claimer.busy ?? [];
        const [candidates] = await c.query<RowDataPacket[]>(
          `SELECT id FROM ${this.tables.instances} WHERE ${UNFINISHED} ` +
            'AND (lease_expires_at < UTC_TIMESTAMP(3)' +
            (goneIds.length > 0
              ? ` OR lease_incarnation IN (${goneIds.map(() => '?').join(', ')}))`
              : ')') +
            (busy.length > 0 ? ` AND id NOT IN (${busy.map(() => '?').join(', ')})` : '') +
            ` ORDER BY lease_expires_at LIMIT ? FOR UPDATE${this.skipLocked ? ' SKIP LOCKED' : ''}`,
          [...goneIds, ...busy, limit],
        );
        return this.takeLeases(
          c,
          candidates.map((r) => r.id as string),
          owner,
          leaseTtlMs,
          claimer.incarnation,
        );
      },
      true,
    );
  }

  async claim(
    id: string,
    status: SagaStatus,
    owner: string,
    leaseTtlMs: number,
    incarnation?: string,
  ): Promise<SagaRecord | undefined> {
    const [record] = await this.transaction('claim a saga', async (c) => {
      const [rows] = await c.query<RowDataPacket[]>(
        `SELECT id FROM ${this.tables.instances} WHERE id = ? AND status = ? FOR UPDATE`,
        [id, status],
      );
      return this.takeLeases(
        c,
        rows.map((r) => r.id as string),
        owner,
        leaseTtlMs,
        incarnation,
      );
    });
    return record;
  }

  async heartbeat(instanceId: string, incarnation: string, ttlMs: number): Promise<SagaHeartbeat> {
    return this.transaction('heartbeat', async (c) => {
      // A lapsed row stays lapsed: a process declared gone may have lost its leases.
      const [own] = await c.query<RowDataPacket[]>(
        `SELECT expires_at < UTC_TIMESTAMP(3) AS lapsed FROM ${this.tables.incarnations} ` +
          'WHERE incarnation = ? FOR UPDATE',
        [incarnation],
      );
      const ttl = Math.round(ttlMs * 1000);
      let expired = false;
      if (own.length === 0) {
        await c.query(
          `INSERT INTO ${this.tables.incarnations} (incarnation, instance_id, expires_at) ` +
            'VALUES (?, ?, UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND)',
          [incarnation, instanceId, ttl],
        );
        await c.query(
          `DELETE FROM ${this.tables.incarnations} ` +
            'WHERE expires_at < UTC_TIMESTAMP(3) - INTERVAL 1 DAY',
        );
      } else if (Number(own[0].lapsed) === 1) {
        expired = true;
      } else {
        await c.query(
          `UPDATE ${this.tables.incarnations} SET beats = beats + 1, ` +
            'expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE incarnation = ?',
          [ttl, incarnation],
        );
      }
      const [others] = await c.query<RowDataPacket[]>(
        `SELECT incarnation, beats FROM ${this.tables.incarnations} ` +
          'WHERE instance_id = ? AND incarnation <> ? AND expires_at >= UTC_TIMESTAMP(3)',
        [instanceId, incarnation],
      );
      return {
        expired,
        others: others.map((r) => ({
          incarnation: r.incarnation as string,
          beats: Number(r.beats),
        })),
      };
    });
  }

  async retireIncarnation(incarnation: string): Promise<void> {
    await this.run('retire an incarnation', (c) =>
      c.query(
        `UPDATE ${this.tables.incarnations} ` +
          'SET expires_at = UTC_TIMESTAMP(3) - INTERVAL 1000 MICROSECOND WHERE incarnation = ?',
        [incarnation],
      ),
    );
  }

  /** Takes over the (locked) sagas for `owner` with a new fencing token, and reads them back. */
  private async takeLeases(
    c: PoolConnection,
    ids: string[],
    owner: string,
    leaseTtlMs: number,
    incarnation: string | undefined,
  ): Promise<SagaRecord[]> {
    if (ids.length === 0) return [];
    const list = ids.map(() => '?').join(', ');
    await c.query(
      `UPDATE ${this.tables.instances} SET lease_owner = ?, lease_incarnation = ?, ` +
        'fencing_token = fencing_token + 1, ' +
        `lease_expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND WHERE id IN (${list})`,
      [owner, incarnation ?? null, Math.round(leaseTtlMs * 1000), ...ids],
    );
    const [rows] = await c.query<Row[]>(
      `SELECT ${COLUMNS} FROM ${this.tables.instances} WHERE id IN (${list}) ORDER BY lease_expires_at, id`,
      ids,
    );
    return rows.map(toRecord);
  }

  async quarantine(id: string, owner: string, fencingToken: number): Promise<boolean> {
    // The state is left as it is: it is what an operator needs to see.
    const [result] = await this.run('quarantine a saga', (c) =>
      c.query<ResultSetHeader>(
        `UPDATE ${this.tables.instances} SET status = 'corrupt', lease_expires_at = NULL, ` +
          'updated_at = UTC_TIMESTAMP(3) WHERE id = ? AND lease_owner = ? AND fencing_token = ?',
        [id, owner, fencingToken],
      ),
    );
    return result.affectedRows === 1;
  }

  async renewLeases(
    owner: string,
    leases: ReadonlyMap<string, number>,
    leaseTtlMs: number,
  ): Promise<string[]> {
    if (leases.size === 0) return [];
    return this.transaction('renew leases', async (c) => {
      const held = await this.lockHeld(
        c,
        [...leases].map(([id, token]) => [id, owner, token] as const),
      );
      if (held.size === 0) return [];
      const ids = [...held];
      await c.query(
        `UPDATE ${this.tables.instances} SET lease_expires_at = UTC_TIMESTAMP(3) + INTERVAL ? MICROSECOND ` +
          `WHERE id IN (${ids.map(() => '?').join(', ')})`,
        [Math.round(leaseTtlMs * 1000), ...ids],
      );
      return ids;
    });
  }

  async ping(): Promise<void> {
    await this.run('ping', (c) => c.query('SELECT 1'));
  }

  async close(): Promise<void> {
    if (this.ownsDataSource && this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  /** One statement on a pooled connection; failures become typed saga errors (`storageError`). */
  private async run<T>(
    operation: string,
    work: (c: Pool) => Promise<T>,
    sagaId?: string,
  ): Promise<T> {
    try {
      return await work(this.pool);
    } catch (error) {
      throw storageError(operation, error, sagaId);
    }
  }

  /**
   * Runs `work` in a transaction, again when it lost a deadlock or a lock wait.
   * `readCommitted` avoids InnoDB's gap locks for scans that would otherwise
   * hold up inserts of new sagas.
   */
  private async transaction<T>(
    operation: string,
    work: (c: PoolConnection) => Promise<T>,
    readCommitted = false,
    sagaId?: string,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let connection: PoolConnection | undefined;
      try {
        connection = await this.pool.getConnection();
        if (readCommitted) {
          await connection.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
        }
        await connection.query('START TRANSACTION');
        const result = await work(connection);
        await connection.query('COMMIT');
        connection.release();
        return result;
      } catch (error) {
        if (connection) {
          const rolledBack = await connection.query('ROLLBACK').then(
            () => true,
            () => false,
          );
          if (rolledBack) connection.release();
          else connection.destroy();
        }
        const errno = (error as { errno?: number }).errno;
        if ((errno === 1213 || errno === 1205) && attempt < TRANSACTION_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
          continue;
        }
        throw storageError(operation, error, sagaId);
      }
    }
  }
}

/** `FOR UPDATE SKIP LOCKED` exists from MariaDB 10.6 and MySQL 8.0.1. */
function supportsSkipLocked(version: string): boolean {
  const [major, minor] = version.split(/[.-]/).map(Number);
  if (/mariadb/i.test(version)) return major > 10 || (major === 10 && minor >= 6);
  return major >= 8;
}

function parseJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

function toRecord(row: Row): SagaRecord {
  return {
    id: row.id,
    sagaName: row.saga_name,
    status: row.status,
    state: parseJson(row.state) as SagaMachineState,
    context: parseJson(row.context) as SagaContext,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    leaseOwner: row.lease_owner,
    leaseIncarnation: row.lease_incarnation ?? null,
    fencingToken: Number(row.fencing_token),
  };
}

/**
 * A refused value (invalid JSON, a string the column cannot hold, a duplicate
 * key...) is the caller's and never retried: `SagaInvalidInputError`. Anything
 * else means the database could not do it now: `SagaStorageUnavailableError`.
 */
function storageError(operation: string, error: unknown, sagaId: string | undefined): Error {
  if (isMysqlInvalidInput(error)) {
    return new SagaInvalidInputError(sagaId, (error as Error).message, { cause: error });
  }
  return new SagaStorageUnavailableError(operation, { cause: error });
}

/** The saga a batch of one is about, to name it in a refusal. */
function soleId(items: readonly SagaWrite[]): string | undefined {
  return items.length === 1 ? items[0].id : undefined;
}

/** MySQL's ER_DUP_ENTRY, wrapped by `run` as the cause of a storage error. */
function isDuplicateKey(error: unknown): boolean {
  const cause = (error as { cause?: { errno?: number } }).cause;
  return cause?.errno === 1062;
}
