import type { ReadAllOptions, ReadBackwardOptions, StoredEvent } from '../event-log';
import { checkReadBackwardOptions } from '../read-backward-options';
import { readOption } from '../read-option';
import { GapTracker } from './gap-tracker';
import type { PostgresConnection } from './postgres-connection';
import {
  POSTGRES_EVENT_COLUMNS,
  toStoredEvent,
  type PostgresEventRow,
} from './postgres-event-rows';
import type { PostgresTables } from './postgres-tables';

/** Positions scanned per query when `headPosition` has to look for gaps. */
const HEAD_SCAN_PAGE = 10_000;

/**
 * The global log in position order, never past a gap a transaction still in
 * flight may fill (the high-water mark, kept by the `GapTracker`), and
 * backwards for browsing.
 */
export class PostgresGlobalLogReader {
  private readonly gaps = new GapTracker();

  constructor(
    private readonly connection: PostgresConnection,
    private readonly tables: PostgresTables,
  ) {}

  /** Markers taken to prove gaps in the global log permanent, and the safe head. */
  get stats(): { readonly gapMarkers: number; readonly safeHead: number } {
    return { gapMarkers: this.gaps.markers, safeHead: this.gaps.head };
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const from = readOption('fromPosition', options.fromPosition, 0);
    readOption('limit', options.limit, 0);
    const result = await this.connection.query<PostgresEventRow & { snapshot_xmin: string }>(
      'reading the global log',
      {
        name: `cello_read_all_${this.tables.key}`,
        text:
          `SELECT ${POSTGRES_EVENT_COLUMNS}, pg_snapshot_xmin(pg_current_snapshot())::text AS snapshot_xmin ` +
          `FROM ${this.tables.events} WHERE position >= $1 ORDER BY position LIMIT $2`,
        values: [from, options.limit ?? null],
      },
    );
    const rows = result.rows;
    const xmin = rows.length > 0 ? BigInt(rows[0].snapshot_xmin) : undefined;
    const safe = this.gaps.safePrefix(
      from,
      rows.map((row) => Number(row.position)),
      xmin,
    );
    if (safe.gap?.needsMarker) await this.markGap(safe.gap.upTo);
    return rows.slice(0, safe.count).map(toStoredEvent);
  }

  /** The type filter is a `WHERE` clause: rows of other types are never sent. */
  async readBackward(options: ReadBackwardOptions): Promise<StoredEvent[]> {
    const { toPosition, fromPosition, types, correlationId, limit } =
      checkReadBackwardOptions(options);
    if (limit === 0 || toPosition < fromPosition || types?.length === 0) return [];
    // Its own statement with the correlation filter, so that the planner can use an expression
    // index an operator may add on metadata->>'correlationId' (Cello adds none: see the README).
    const byCorrelation = correlationId === undefined ? '' : "AND metadata->>'correlationId' = $5 ";
    const result = await this.connection.query<PostgresEventRow>(
      'reading the global log backwards',
      {
        name: `cello_read_backward${correlationId === undefined ? '' : '_correlated'}_${this.tables.key}`,
        text:
          `SELECT ${POSTGRES_EVENT_COLUMNS} FROM ${this.tables.events} ` +
          'WHERE position <= $1 AND position >= $2 AND ($3::text[] IS NULL OR type = ANY($3::text[])) ' +
          `${byCorrelation}ORDER BY position DESC LIMIT $4`,
        values: [
          toPosition,
          fromPosition,
          types ?? null,
          limit,
          ...(correlationId === undefined ? [] : [correlationId]),
        ],
      },
    );
    return result.rows.map(toStoredEvent);
  }

  async headPosition(): Promise<number> {
    const head = this.gaps.head;
    const summary = await this.connection.query<{ count: string; max: string | null }>(
      'reading the head position',
      {
        name: `cello_head_${this.tables.key}`,
        text: `SELECT count(*) AS count, max(position) AS max FROM ${this.tables.events} WHERE position > $1`,
        values: [head],
      },
    );
    const count = Number(summary.rows[0].count);
    const max = Number(summary.rows[0].max ?? 0);
    if (count === 0) return head;
    // As many rows as positions above the known head: no gap, all of them are visible.
    if (max - head === count) {
      this.gaps.advanceTo(head, max);
      return this.gaps.head;
    }
    for (;;) {
      const from = this.gaps.head + 1;
      const page = await this.connection.query<{ position: string; snapshot_xmin: string }>(
        'reading the head position',
        {
          name: `cello_head_scan_${this.tables.key}`,
          text:
            `SELECT position, pg_snapshot_xmin(pg_current_snapshot())::text AS snapshot_xmin ` +
            `FROM ${this.tables.events} WHERE position >= $1 ORDER BY position LIMIT $2`,
          values: [from, HEAD_SCAN_PAGE],
        },
      );
      const positions = page.rows.map((row) => Number(row.position));
      const xmin = page.rows.length > 0 ? BigInt(page.rows[0].snapshot_xmin) : undefined;
      const safe = this.gaps.safePrefix(from, positions, xmin);
      if (safe.gap) {
        if (safe.gap.needsMarker) await this.markGap(safe.gap.upTo);
        return this.gaps.head;
      }
      if (positions.length < HEAD_SCAN_PAGE) return this.gaps.head;
    }
  }

  /**
   * Takes a fresh transaction id as the marker that proves gaps permanent
   * later, with the highest position visible just before it (the statement's
   * snapshot is taken before the id is): it covers every gap below that.
   */
  private async markGap(upTo: number): Promise<void> {
    const result = await this.connection.query<{ xid: string; max: string | null }>(
      'marking a gap in the global log',
      {
        name: `cello_gap_marker_${this.tables.key}`,
        // Asynchronous commit: this transaction writes nothing worth a WAL flush.
        text:
          `SELECT (SELECT max(position) FROM ${this.tables.events})::text AS max, ` +
          "pg_current_xact_id()::text AS xid FROM set_config('synchronous_commit', 'off', true)",
      },
    );
    const row = result.rows[0];
    this.gaps.markGap(Math.max(upTo, Number(row.max ?? 0)), BigInt(row.xid));
  }
}
