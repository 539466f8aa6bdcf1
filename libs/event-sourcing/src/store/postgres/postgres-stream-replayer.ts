import type * as Pg from 'pg';
import { DATE_PATHS_METADATA_KEY } from '../../serialization/date-paths';
import type { ReplayedEvent, ReplayStreamOptions } from '../event-log';
import { readOption } from '../read-option';
import type { PostgresConnection } from './postgres-connection';
import { mapStorageError } from './postgres-error-mapper';
import type { PostgresTables } from './postgres-tables';

/**
 * `EventStore.load`'s read: one query for the whole tail, each row handed to
 * `onEvent` as node-postgres parses it and none kept (no page round trips,
 * objects die young). No `recorded_at` Date and no metadata object; numbers
 * come as float8, so each row is the `ReplayedEvent` as it is.
 */
export class PostgresStreamReplayer {
  constructor(
    private readonly connection: PostgresConnection,
    private readonly tables: PostgresTables,
    private readonly pg: typeof Pg,
    private readonly statementTimeoutMs: number,
  ) {}

  async replayStream(
    streamId: string,
    options: ReplayStreamOptions,
    onEvent: (event: ReplayedEvent) => void,
  ): Promise<void> {
    const during = `replaying stream "${streamId}"`;
    const pool = this.connection.pool;
    const client = await pool.connect().catch((error: unknown) => {
      throw mapStorageError(error, during);
    });
    let handlerFailure: { error: unknown } | undefined;
    // Set when the connection must be dropped rather than reused.
    let discard: Error | undefined;
    // A checked-out client has no listener of the pool's: an error arriving between the
    // query's end and the release (e.g. the server shutting down) would crash the process.
    const onClientError = (error: Error) => {
      discard ??= error;
    };
    client.on('error', onClientError);
    try {
      await new Promise<void>((resolve, reject) => {
        const query = new this.pg.Query({
          name: `cello_replay_stream_${this.tables.key}`,
          text:
            'SELECT position::float8 AS position, version::float8 AS version, ' +
            'event_id AS "eventId", type, schema_version AS "schemaVersion", data, ' +
            `metadata -> '${DATE_PATHS_METADATA_KEY}' AS "datePaths" ` +
            `FROM ${this.tables.events} WHERE stream_id = $1 AND version >= $2 ORDER BY version`,
          values: [streamId, readOption('fromVersion', options.fromVersion, 1)],
        });
        // pg's own query_timeout would make it keep every row; this timer does not.
        const timer = setTimeout(() => {
          discard = new Error('Query read timeout');
          reject(discard);
        }, this.statementTimeoutMs + 2000);
        query.on('row', (row: ReplayedEvent) => {
          if (handlerFailure) return;
          try {
            onEvent(row);
          } catch (error) {
            handlerFailure = { error };
            // Stop at once: dropping the connection beats reading the rest of a long stream.
            discard = new Error('replay stopped by its event handler');
            clearTimeout(timer);
            resolve();
          }
        });
        query.on('error', (error: Error) => {
          clearTimeout(timer);
          discard ??= error;
          reject(error);
        });
        query.on('end', () => {
          clearTimeout(timer);
          resolve();
        });
        client.query(query);
      });
    } catch (error) {
      throw mapStorageError(error, during);
    } finally {
      // A connection whose query failed, timed out or was abandoned is dropped, not reused.
      client.removeListener('error', onClientError);
      client.release(discard);
    }
    if (handlerFailure) throw handlerFailure.error;
  }
}
