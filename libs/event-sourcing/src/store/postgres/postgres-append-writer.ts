import { isPostgresInvalidInput } from '@cello/core/internal';
import { ConcurrencyError } from '../../errors/concurrency.error';
import { EventIdConflictError } from '../../errors/event-id-conflict.error';
import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import type { QueuedAppend } from '../sql/append-coalescer';
import type { AppendOutcome, SqlAppendWriter } from '../sql/sql-event-storage-parts';
import { APPEND_OUTCOME } from './migrations/append-events-function.sql';
import {
  PostgresAppendStatements,
  type AppendRequest,
  type InsertedRow,
} from './postgres-append-statements';
import type { PostgresConnection } from './postgres-connection';
import { isUnavailable, mapStorageError } from './postgres-error-mapper';
import type { PostgresTables } from './postgres-tables';

interface AppendRow {
  outcomes: number[];
  stream_versions: string[];
  positions: string[];
  duplicate_positions: string[];
}

/** SQLSTATEs after which the slow path decides: unique violation, deadlock. */
const DECIDE_AGAIN = new Set(['23505', '40P01']);

/**
 * Appends a coalesced batch. The happy path is one plain `INSERT` (one round
 * trip, one commit, see PostgresAppendStatements) for the batch's first append
 * to each stream. What it leaves undecided (an expected version not met, a
 * concurrent writer of the same version, a re-sent event id, a second append
 * to a stream) goes to the append function, which decides each append
 * precisely: conflict, duplicate with the first write's positions, or
 * appended.
 */
export class PostgresAppendWriter implements SqlAppendWriter {
  readonly engine = 'PostgreSQL';
  private readonly statements: PostgresAppendStatements;

  constructor(
    private readonly connection: PostgresConnection,
    tables: PostgresTables,
  ) {
    this.statements = new PostgresAppendStatements(tables);
  }

  async write(batch: readonly QueuedAppend[]): Promise<AppendOutcome[]> {
    const outcomes = new Array<AppendOutcome | undefined>(batch.length);
    // The happy path takes each stream's first append; later ones must see it committed.
    const first: number[] = [];
    const streams = new Set<string>();
    for (let index = 0; index < batch.length; index++) {
      if (streams.has(batch[index].streamId)) continue;
      streams.add(batch[index].streamId);
      first.push(index);
    }
    try {
      await this.writeHappy(batch, first, outcomes);
    } catch (error) {
      // Nothing of the statement was written; anything but a race is the caller's to handle.
      if (!DECIDE_AGAIN.has((error as { code?: string }).code ?? '')) throw error;
    }
    const left: number[] = [];
    for (let index = 0; index < batch.length; index++) {
      if (outcomes[index] === undefined) left.push(index);
    }
    if (left.length === batch.length) return this.decide(batch);
    if (left.length > 0) {
      // Some appends are committed already: failures of the others become their own outcomes.
      const decided = await this.decide(left.map((index) => batch[index])).catch((error: unknown) =>
        this.decideEach(
          left.map((index) => batch[index]),
          error,
        ),
      );
      left.forEach((index, k) => (outcomes[index] = decided[k]));
    }
    return outcomes as AppendOutcome[];
  }

  async writeInTransaction(manager: EntityManager, append: AppendRequest): Promise<AppendOutcome> {
    // The query runner's pg client: the function (it never fails on a race, which would
    // abort the caller's transaction), on the transaction's connection.
    const client = (await manager.queryRunner!.connect()) as PoolClient;
    const result = await client.query<AppendRow>(this.statements.decideLocked(append));
    return decodeOutcomes([append], result.rows[0])[0];
  }

  isUnavailable(error: unknown): boolean {
    return isUnavailable(error);
  }

  isEventIdConflict(error: unknown): boolean {
    const { code, constraint } = error as { code?: string; constraint?: string };
    return code === '23505' && constraint?.endsWith('events_event_id_key') === true;
  }

  /** Invalid JSON or text (22P02, 22P05, 22021...), out of range, class 23, keys too long (54000). */
  isInvalidInput(error: unknown): boolean {
    return isPostgresInvalidInput(error) || (error as { code?: string }).code === '54000';
  }

  /** Sets the outcome of each append of `indexes` the happy-path statement inserted. */
  private async writeHappy(
    batch: readonly QueuedAppend[],
    indexes: readonly number[],
    outcomes: (AppendOutcome | undefined)[],
  ): Promise<void> {
    if (indexes.length === 1) {
      const append = batch[indexes[0]];
      const statement =
        append.events.length === 1
          ? this.statements.oneEvent(append)
          : this.statements.oneAppend(append);
      const { rows } = await this.connection.appendQuery<InsertedRow>(statement);
      if (rows.length > 0) outcomes[indexes[0]] = appended(rows);
      return;
    }
    const appends = indexes.map((index) => batch[index]);
    const { rows } = await this.connection.rawQuery<InsertedRow>(
      this.statements.manyAppends(appends),
    );
    const byStream = new Map<string, InsertedRow[]>();
    for (const row of rows) {
      const list = byStream.get(row.stream_id!);
      if (list) list.push(row);
      else byStream.set(row.stream_id!, [row]);
    }
    for (const index of indexes) {
      const inserted = byStream.get(batch[index].streamId);
      if (inserted) outcomes[index] = appended(inserted);
    }
  }

  /** The slow path: each append decided by the append function, in order. */
  private async decide(appends: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    const result = await this.connection.rawQuery<AppendRow>(this.statements.decide(appends));
    return decodeOutcomes(appends, result.rows[0]);
  }

  /** After the others' statement failed: each append alone, its failure its own outcome. */
  private async decideEach(appends: readonly AppendRequest[], error: unknown): Promise<Error[]> {
    if (appends.length === 1 || isUnavailable(error)) return appends.map(() => asError(error));
    const outcomes: AppendOutcome[] = [];
    for (const append of appends) {
      outcomes.push(await this.decide([append]).then((decided) => decided[0], asError));
    }
    return outcomes as Error[];
  }
}

function asError(error: unknown): Error {
  // A lost connection stays recognisable (a driver's error may not be an `Error` of this realm).
  if (isUnavailable(error)) return mapStorageError(error, 'appending') as Error;
  return error instanceof Error ? error : new Error(String(error));
}

/** An inserted append's result: positions in version order. */
function appended(rows: InsertedRow[]): AppendOutcome {
  const sorted =
    rows.length === 1 ? rows : rows.sort((a, b) => Number(a.version) - Number(b.version));
  return {
    streamVersion: Number(sorted[sorted.length - 1].version),
    positions: sorted.map((row) => Number(row.position)),
    duplicate: false,
  };
}

/** Each append's outcome from the function's row: positions are cut from one array per kind. */
function decodeOutcomes(batch: readonly AppendRequest[], row: AppendRow): AppendOutcome[] {
  const outcomes = new Array<AppendOutcome>(batch.length);
  let inserted = 0;
  let duplicates = 0;
  for (let index = 0; index < batch.length; index++) {
    const append = batch[index];
    const count = append.events.length;
    const streamVersion = Number(row.stream_versions[index]);
    switch (row.outcomes[index]) {
      case APPEND_OUTCOME.appended:
        outcomes[index] = {
          streamVersion,
          positions: row.positions.slice(inserted, inserted + count).map(Number),
          duplicate: false,
        };
        inserted += count;
        break;
      case APPEND_OUTCOME.duplicate:
        outcomes[index] = {
          streamVersion,
          positions: row.duplicate_positions.slice(duplicates, duplicates + count).map(Number),
          duplicate: true,
        };
        duplicates += count;
        break;
      case APPEND_OUTCOME.conflict:
        outcomes[index] = new ConcurrencyError(append.streamId, append.expected, streamVersion);
        break;
      default:
        outcomes[index] = new EventIdConflictError(append.streamId, []);
    }
  }
  return outcomes;
}
