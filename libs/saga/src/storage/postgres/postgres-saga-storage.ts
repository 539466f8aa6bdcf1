import { isCelloError } from '@cello/core';
import { isPostgresInvalidInput } from '@cello/core/internal';
import type { Pool } from 'pg';
import type * as TypeOrm from 'typeorm';
import type { DataSource } from 'typeorm';
import { loadOptionalPeer } from '@cello/core/internal';
import { SagaInvalidInputError } from '../../errors/saga-invalid-input.error';
import { SagaStorageUnavailableError } from '../../errors/saga-storage-unavailable.error';
import type { SagaMachineState, SagaStatus } from '../../machine/saga-machine.types';
import { TERMINAL_SAGA_STATUSES } from '../../machine/saga-machine.types';
import type { SagaContext } from '../../definition/saga-step-execution';
import type {
  SagaClaimer,
  SagaHeartbeat,
  SagaListQuery,
  SagaRecord,
  SagaStorage,
  SagaWrite,
} from '../saga-storage';
import { runSagaMigrations } from './saga-migrator';
import { sagaTables, type SagaTables } from './saga-tables';
import { WriteCoalescer } from './write-coalescer';

/** Options of the PostgreSQL saga storage. */
export interface PostgresSagaStorageOptions {
  /** Default `public`. */
  schema?: string;
  /** Default `cello_saga_`. */
  tablePrefix?: string;
  /** Apply the shipped migrations on open. Default: true. */
  migrationsRun?: boolean;
  /** Pool size when opened from a URL. Default: 10. */
  poolSize?: number;
  /** Send concurrent sagas' writes as one statement (group commit). Default: true. */
  coalesceWrites?: boolean;
  /**
   * `false`: commit saga writes without waiting for the WAL flush (URL storage
   * only). Much lower latency; a PostgreSQL crash (not an app crash) may lose
   * the last fraction of a second of transitions, after which steps re-run with
   * their idempotency keys. Default: true.
   */
  synchronousCommit?: boolean;
}

interface Row {
  id: string;
  saga_name: string;
  status: SagaStatus;
  state: SagaMachineState;
  context: SagaContext;
  created_at: Date;
  updated_at: Date;
  lease_owner: string | null;
  lease_incarnation: string | null;
  fencing_token: string;
}

type CreateWrite = SagaWrite & { sagaName: string; incarnation?: string };

function ttlOf(write: SagaWrite): number | null {
  return TERMINAL_SAGA_STATUSES.includes(write.status) ? null : write.leaseTtlMs;
}

/**
 * Saga state in PostgreSQL through a TypeORM DataSource. Writes of concurrent
 * sagas are coalesced into one `unnest` statement, each row fenced by its
 * writer's owner and fencing token.
 */
export class PostgresSagaStorage implements SagaStorage {
  private readonly creates: WriteCoalescer<CreateWrite, boolean>;
  private readonly saves: WriteCoalescer<SagaWrite, boolean>;

  private constructor(
    private readonly dataSource: DataSource,
    private readonly tables: SagaTables,
    private readonly ownsDataSource: boolean,
    coalesce: boolean,
  ) {
    // Without coalescing: one statement per write, as many in flight as connections.
    const [maxBatch, maxInFlight] = coalesce ? [256, 2] : [1, 64];
    // One refused value fails the whole statement: its neighbours are written again alone.
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

  /** Opens a DataSource of its own on `url` (closed by `close()`). */
  static async fromUrl(
    url: string,
    options: PostgresSagaStorageOptions = {},
  ): Promise<PostgresSagaStorage> {
    // Optional peers, loaded only here; pg first, so its absence is named rather than reported by TypeORM.
    loadOptionalPeer('pg', 'PostgreSQL saga storage', require);
    const { DataSource } = loadOptionalPeer<typeof TypeOrm>(
      'typeorm',
      'PostgreSQL saga storage',
      require,
    );
    const dataSource = new DataSource({
      type: 'postgres',
      url,
      poolSize: options.poolSize ?? 10,
      synchronize: false,
      extra: {
        // A database that is unreachable (not just down) must not hang saga writes forever.
        connectionTimeoutMillis: 5000,
        ...(options.synchronousCommit === false ? { options: '-c synchronous_commit=off' } : {}),
      },
    });
    await dataSource.initialize();
    try {
      return await PostgresSagaStorage.open(dataSource, options, true);
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
  }

  /** Uses the application's DataSource (left open by `close()`). */
  static async fromDataSource(
    dataSource: DataSource,
    options: PostgresSagaStorageOptions = {},
  ): Promise<PostgresSagaStorage> {
    if (!dataSource.isInitialized) await dataSource.initialize();
    return PostgresSagaStorage.open(dataSource, options, false);
  }

  private static async open(
    dataSource: DataSource,
    options: PostgresSagaStorageOptions,
    owns: boolean,
  ): Promise<PostgresSagaStorage> {
    const tables = sagaTables(options.schema, options.tablePrefix);
    if (options.migrationsRun ?? true) await runSagaMigrations(dataSource, tables);
    return new PostgresSagaStorage(dataSource, tables, owns, options.coalesceWrites ?? true);
  }

  /** node-postgres pool under the DataSource: named prepared statements, row counts. */
  private get pool(): Pool {
    return (this.dataSource.driver as unknown as { master: Pool }).master;
  }

  /**
   * One statement. A refused value (SQLSTATE 22, 23) becomes
   * `SagaInvalidInputError`, never retried; anything else means the database
   * could not do it now: `SagaStorageUnavailableError`.
   */
  private async query<T extends object>(
    name: string,
    text: string,
    values: unknown[],
    sagaId?: string,
  ): Promise<T[]> {
    try {
      const result = await this.pool.query<T>({
        name: `${this.tables.prefix}${name}`,
        text,
        values,
      });
      return result.rows;
    } catch (error) {
      if (isPostgresInvalidInput(error)) {
        throw new SagaInvalidInputError(sagaId, (error as Error).message, { cause: error });
      }
      throw new SagaStorageUnavailableError(name.replace(/_/g, ' '), { cause: error });
    }
  }

  create(write: SagaWrite & { sagaName: string; incarnation?: string }): Promise<boolean> {
    return this.creates.submit(write);
  }

  save(write: SagaWrite): Promise<boolean> {
    return this.saves.submit(write);
  }

  // An id that exists already (or earlier in the batch) is skipped, not an error:
  // only the first of a batch's writes of one id can be the one that created it.
  private async createBatch(items: CreateWrite[]): Promise<boolean[]> {
    const rows = await this.query<{ id: string }>(
      'create_sagas',
      `INSERT INTO ${this.tables.instances}
         (id, saga_name, status, state, context, lease_owner, lease_incarnation,
          lease_expires_at, fencing_token)
       SELECT u.id, u.saga_name, u.status, u.state::jsonb, u.context::jsonb, u.owner, u.incarnation,
              now() + u.ttl * interval '1 millisecond', 1
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                   $8::text[])
         AS u(id, saga_name, status, state, context, owner, ttl, incarnation)
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [
        items.map((w) => w.id),
        items.map((w) => w.sagaName),
        items.map((w) => w.status),
        items.map((w) => w.stateJson ?? JSON.stringify(w.state)),
        items.map((w) => JSON.stringify(w.context)),
        items.map((w) => w.owner),
        items.map((w) => w.leaseTtlMs),
        items.map((w) => w.incarnation ?? null),
      ],
      soleId(items),
    );
    const created = new Set(rows.map((row) => row.id));
    return items.map((w) => created.delete(w.id));
  }

  private async saveBatch(items: SagaWrite[]): Promise<boolean[]> {
    const rows = await this.query<{ id: string }>(
      'save_sagas',
      `UPDATE ${this.tables.instances} AS s
         SET status = u.status, state = u.state::jsonb, context = u.context::jsonb,
             updated_at = now(),
             lease_expires_at = now() + u.ttl * interval '1 millisecond'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])
         AS u(id, status, state, context, owner, token, ttl)
       WHERE s.id = u.id AND s.fencing_token = u.token AND s.lease_owner = u.owner
       RETURNING s.id`,
      [
        items.map((w) => w.id),
        items.map((w) => w.status),
        items.map((w) => w.stateJson ?? JSON.stringify(w.state)),
        items.map((w) => JSON.stringify(w.context)),
        items.map((w) => w.owner),
        items.map((w) => w.fencingToken),
        items.map((w) => ttlOf(w)),
      ],
      soleId(items),
    );
    const saved = new Set(rows.map((r) => r.id));
    return items.map((w) => saved.has(w.id));
  }

  async load(id: string): Promise<SagaRecord | undefined> {
    const rows = await this.query<Row>(
      'load_saga',
      `SELECT * FROM ${this.tables.instances} WHERE id = $1`,
      [id],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async list(query: SagaListQuery = {}): Promise<SagaRecord[]> {
    const statuses = query.status === undefined ? null : [query.status].flat();
    const rows = await this.query<Row>(
      'list_sagas',
      `SELECT * FROM ${this.tables.instances}
       WHERE ($1::text[] IS NULL OR status = ANY($1)) AND ($2::text IS NULL OR saga_name = $2)
       ORDER BY created_at DESC, id LIMIT $3`,
      [statuses, query.sagaName ?? null, query.limit ?? 100],
    );
    return rows.map(toRecord);
  }

  async claimAbandoned(
    owner: string,
    leaseTtlMs: number,
    limit: number,
    claimer: SagaClaimer = {},
  ): Promise<SagaRecord[]> {
    // SKIP LOCKED: two instances scanning together each get different rows;
    // the outer WHERE re-checks the lease after any row lock wait. A live
    // lease is taken only when its process is proven gone (heartbeat lapsed
    // or retired); a process without a heartbeat row proves nothing.
    const abandoned = `(lease_expires_at < now() OR lease_incarnation IN (
        SELECT incarnation FROM ${this.tables.incarnations} WHERE expires_at < now()))`;
    const rows = await this.query<Row>(
      'claim_abandoned',
      `UPDATE ${this.tables.instances}
         SET lease_owner = $1, lease_incarnation = $4, fencing_token = fencing_token + 1,
             lease_expires_at = now() + $2 * interval '1 millisecond'
       WHERE id IN (
           SELECT id FROM ${this.tables.instances}
           WHERE status IN ('running', 'compensating') AND ${abandoned}
             AND id <> ALL($5::text[])
           ORDER BY lease_expires_at
           LIMIT $3
           FOR UPDATE SKIP LOCKED)
         AND ${abandoned}
       RETURNING *`,
      [owner, leaseTtlMs, limit, claimer.incarnation ?? null, claimer.busy ?? []],
    );
    return rows.map(toRecord);
  }

  async claim(
    id: string,
    status: SagaStatus,
    owner: string,
    leaseTtlMs: number,
    incarnation?: string,
  ): Promise<SagaRecord | undefined> {
    const rows = await this.query<Row>(
      'claim_saga',
      `UPDATE ${this.tables.instances}
         SET lease_owner = $3, lease_incarnation = $5, fencing_token = fencing_token + 1,
             lease_expires_at = now() + $4 * interval '1 millisecond'
       WHERE id = $1 AND status = $2
       RETURNING *`,
      [id, status, owner, leaseTtlMs, incarnation ?? null],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async quarantine(id: string, owner: string, fencingToken: number): Promise<boolean> {
    // The state is left as it is: it is what an operator needs to see.
    const rows = await this.query<{ id: string }>(
      'quarantine_saga',
      `UPDATE ${this.tables.instances}
         SET status = 'corrupt', lease_expires_at = NULL, updated_at = now()
       WHERE id = $1 AND lease_owner = $2 AND fencing_token = $3
       RETURNING id`,
      [id, owner, fencingToken],
    );
    return rows.length === 1;
  }

  async heartbeat(instanceId: string, incarnation: string, ttlMs: number): Promise<SagaHeartbeat> {
    // One statement: insert our row, or extend it unless it lapsed (a process
    // declared gone stays gone); then the others of our instanceId still live.
    // Rows lapsed for a day are swept: no lease can still name them.
    const rows = await this.query<{ incarnation: string; beats: string; own: boolean }>(
      'heartbeat',
      `WITH beat AS (
         INSERT INTO ${this.tables.incarnations} AS i (incarnation, instance_id, expires_at)
         VALUES ($1, $2, now() + $3 * interval '1 millisecond')
         ON CONFLICT (incarnation) DO UPDATE
           SET beats = i.beats + 1, expires_at = EXCLUDED.expires_at
           WHERE i.expires_at >= now()
         RETURNING incarnation),
       swept AS (
         DELETE FROM ${this.tables.incarnations} WHERE expires_at < now() - interval '1 day')
       SELECT incarnation, beats, false AS own FROM ${this.tables.incarnations}
       WHERE instance_id = $2 AND incarnation <> $1 AND expires_at >= now()
       UNION ALL SELECT incarnation, 0, true FROM beat`,
      [incarnation, instanceId, ttlMs],
    );
    return {
      expired: !rows.some((r) => r.own),
      others: rows
        .filter((r) => !r.own)
        .map((r) => ({ incarnation: r.incarnation, beats: Number(r.beats) })),
    };
  }

  async retireIncarnation(incarnation: string): Promise<void> {
    await this.query(
      'retire_incarnation',
      `UPDATE ${this.tables.incarnations} SET expires_at = now() - interval '1 millisecond'
       WHERE incarnation = $1`,
      [incarnation],
    );
  }

  async renewLeases(
    owner: string,
    leases: ReadonlyMap<string, number>,
    leaseTtlMs: number,
  ): Promise<string[]> {
    if (leases.size === 0) return [];
    const rows = await this.query<{ id: string }>(
      'renew_leases',
      `UPDATE ${this.tables.instances} AS s
         SET lease_expires_at = now() + $4 * interval '1 millisecond'
       FROM unnest($2::text[], $3::bigint[]) AS u(id, token)
       WHERE s.id = u.id AND s.fencing_token = u.token AND s.lease_owner = $1
       RETURNING s.id`,
      [owner, [...leases.keys()], [...leases.values()], leaseTtlMs],
    );
    return rows.map((r) => r.id);
  }

  async ping(): Promise<void> {
    await this.query('ping', 'SELECT 1', []);
  }

  async close(): Promise<void> {
    if (this.ownsDataSource && this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** The saga a batch of one is about, to name it in a refusal. */
function soleId(items: readonly SagaWrite[]): string | undefined {
  return items.length === 1 ? items[0].id : undefined;
}

function toRecord(row: Row): SagaRecord {
  return {
    id: row.id,
    sagaName: row.saga_name,
    status: row.status,
    state: row.state,
    context: row.context,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    leaseOwner: row.lease_owner,
    leaseIncarnation: row.lease_incarnation ?? null,
    fencingToken: Number(row.fencing_token),
  };
}
