import type { PostgresTables } from '../postgres-tables';
import { EXPECTED_ANY, EXPECTED_STREAM_EXISTS } from './append-events-function.sql';

/**
 * The packed append function (third migration), which the storage calls for
 * every append. It decides a batch as `append_events_fast` does, with two
 * differences:
 *
 * - Payloads travel packed: every event's data and then its metadata, as UTF-8
 *   bytes one after the other in one `bytea`, cut by byte offsets and lengths.
 *   A `text[]` parameter made the client escape every quote of every JSON
 *   payload and the server unescape it again (measured: about a third of the
 *   cost per event of a 100-event append, client and server together). Each
 *   payload is still cast to jsonb on its own, so a malformed one fails its own
 *   cast and can never shift its neighbours.
 * - No `pg_notify`: a notifying commit holds a cluster-wide lock until its WAL
 *   is flushed, so notifying appends cannot share a flush (group commit). The
 *   storage notifies after the commit instead (PostgresAppendNotifier).
 *
 * Batches it does not decide itself go, unpacked, to `append_events`.
 */
export function packedAppendFunctionSql(t: PostgresTables): string {
  const slot = 'array_position(p_streams, s.stream_id)';
  return `
CREATE OR REPLACE FUNCTION ${t.packedAppendFunction}(
  p_streams text[],
  p_expected bigint[],
  p_counts integer[],
  p_event_ids uuid[],
  p_types text[],
  p_schema_versions integer[],
  p_payloads bytea,
  p_offsets integer[],
  p_data_lengths integer[],
  p_metadata_lengths integer[],
  p_event_appends integer[],
  p_event_indexes integer[],
  OUT outcomes smallint[],
  OUT stream_versions bigint[],
  OUT positions bigint[],
  OUT duplicate_positions bigint[]
) LANGUAGE plpgsql
-- Index lookups only: a plan cached while the events table was small must not
-- seq-scan it once it has grown.
SET enable_seqscan = off
AS $fn$
DECLARE
  v_appends integer := coalesce(array_length(p_streams, 1), 0);
  v_bumped text[];
  v_data text[];
  v_metadata text[];
BEGIN
  IF v_appends > 0 AND (v_appends = 1
      OR (SELECT count(DISTINCT u.id) FROM unnest(p_streams) AS u(id)) = v_appends) THEN
    -- Lock every stream row in one sorted order (no deadlocks between
    -- batches), creating missing ones, and write each accepted append's final
    -- version. A row whose expected version is not met stays locked and is not
    -- returned; a new row whose append needed an existing stream gets version 0.
    WITH bumped AS (
      INSERT INTO ${t.streams} AS s (stream_id, version)
      SELECT u.id, CASE WHEN u.expected IN (${EXPECTED_ANY}, 0) THEN u.n ELSE 0 END
        FROM unnest(p_streams, p_expected, p_counts) AS u(id, expected, n)
       ORDER BY u.id
      ON CONFLICT (stream_id) DO UPDATE SET version = s.version + p_counts[${slot}]
       WHERE p_expected[${slot}] = ${EXPECTED_ANY}
          OR p_expected[${slot}] = s.version
          OR (p_expected[${slot}] = ${EXPECTED_STREAM_EXISTS} AND s.version > 0)
      RETURNING s.stream_id, s.version
    )
    SELECT array_agg(b.stream_id) FILTER (WHERE b.version > 0),
           array_agg(b.version ORDER BY array_position(p_streams, b.stream_id))
      INTO v_bumped, stream_versions
      FROM bumped b;

    -- A new statement, so a new snapshot: re-sends committed meanwhile are seen.
    IF coalesce(array_length(v_bumped, 1), 0) = v_appends
       AND NOT EXISTS (SELECT 1 FROM ${t.events} e WHERE e.event_id = ANY (p_event_ids)) THEN
      -- Positions are taken in row order, so the sorted positions line up with the events.
      WITH inserted AS (
        INSERT INTO ${t.events} (stream_id, version, event_id, type, schema_version, data, metadata)
        SELECT p_streams[e.a], stream_versions[e.a] - p_counts[e.a] + e.k, e.id, e.type,
               e.schema_version,
               convert_from(substring(p_payloads FROM e.o FOR e.dl), 'UTF8')::jsonb,
               convert_from(substring(p_payloads FROM e.o + e.dl FOR e.ml), 'UTF8')::jsonb
          FROM unnest(p_event_appends, p_event_indexes, p_event_ids, p_types, p_schema_versions,
                      p_offsets, p_data_lengths, p_metadata_lengths)
               AS e(a, k, id, type, schema_version, o, dl, ml)
        RETURNING position
      )
      SELECT array_agg(position ORDER BY position) INTO positions FROM inserted;
      outcomes := array_fill(0::smallint, ARRAY[v_appends]);
      duplicate_positions := '{}';
      RETURN;
    END IF;

    UPDATE ${t.streams} s SET version = s.version - p_counts[${slot}]
     WHERE s.stream_id = ANY (v_bumped);
  END IF;

  SELECT coalesce(array_agg(convert_from(substring(p_payloads FROM u.o FOR u.dl), 'UTF8')
                            ORDER BY u.n), '{}'),
         coalesce(array_agg(convert_from(substring(p_payloads FROM u.o + u.dl FOR u.ml), 'UTF8')
                            ORDER BY u.n), '{}')
    INTO v_data, v_metadata
    FROM unnest(p_offsets, p_data_lengths, p_metadata_lengths) WITH ORDINALITY AS u(o, dl, ml, n);
  SELECT * INTO outcomes, stream_versions, positions, duplicate_positions
    FROM ${t.appendFunction}(p_streams, p_expected, p_counts, p_event_ids, p_types,
                             p_schema_versions, v_data, v_metadata);
END
$fn$`;
}
