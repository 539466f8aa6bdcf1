import type { PostgresTables } from '../postgres-tables';
import { EXPECTED_ANY, EXPECTED_STREAM_EXISTS } from './append-events-function.sql';

/**
 * The append functions as of the fifth migration: the storage's slow path
 * (conflicts, re-sends, several appends to one stream, appends inside
 * `EventStore.transaction`). The happy path is one plain `INSERT` sent by the
 * storage itself (PostgresAppendStatements); there is no stream row any more:
 * a stream's version is the highest version of its events, and the unique
 * `(stream_id, version)` index serialises its writers.
 *
 * `append_events` decides each append of a batch on its own, in order (several
 * appends to one stream see each other): a re-send (every event id stored, in
 * this stream) is a duplicate with the first write's positions, whatever its
 * expected version; otherwise the expected version is checked against the
 * stream's highest version and the events are inserted in a subtransaction. A
 * unique violation there means a concurrent writer committed this version or
 * these ids meanwhile (the insert waited for it): the append is decided again
 * on a fresh snapshot, so 'any' and 'stream_exists' retry, an exact version
 * becomes a conflict and a re-send a duplicate. A transaction id is taken
 * before any position, as the gap-free global read requires.
 *
 * `append_events_fast` and `append_events_packed` keep their signatures (the
 * storage's slow path calls the packed one; instances of earlier versions call
 * either) and hand their batch to `append_events`.
 */
export function eventsVersionAppendFunctionsSql(t: PostgresTables): string[] {
  const outputs = `
  OUT outcomes smallint[],
  OUT stream_versions bigint[],
  OUT positions bigint[],
  OUT duplicate_positions bigint[]`;
  const decide = `
CREATE OR REPLACE FUNCTION ${t.appendFunction}(
  p_streams text[],
  p_expected bigint[],
  p_counts integer[],
  p_event_ids uuid[],
  p_types text[],
  p_schema_versions integer[],
  p_data text[],
  p_metadata text[],${outputs}
) LANGUAGE plpgsql
-- Index lookups only: a plan cached while the events table was small must not
-- seq-scan it once it has grown.
SET enable_seqscan = off
AS $fn$
DECLARE
  v_appends integer := coalesce(array_length(p_streams, 1), 0);
  v_offset integer := 0;
  v_count integer;
  v_stream text;
  v_ids uuid[];
  v_expected bigint;
  v_current bigint;
  v_found integer;
  v_found_positions bigint[];
  v_found_last bigint;
  v_found_same boolean;
  v_inserted bigint[];
  v_decided boolean;
BEGIN
  outcomes := '{}';
  stream_versions := '{}';
  positions := '{}';
  duplicate_positions := '{}';
  PERFORM pg_current_xact_id();

  FOR i IN 1 .. v_appends LOOP
    v_count := p_counts[i];
    v_stream := p_streams[i];
    v_ids := p_event_ids[v_offset + 1 : v_offset + v_count];
    v_expected := p_expected[i];
    v_decided := false;
    WHILE NOT v_decided LOOP
      -- Each statement takes a new snapshot: writers that committed meanwhile are seen.
      SELECT coalesce(max(e.version), 0) INTO v_current FROM ${t.events} e WHERE e.stream_id = v_stream;
      SELECT count(*), array_agg(e.position ORDER BY u.ord), max(e.version),
             bool_and(e.stream_id = v_stream)
        INTO v_found, v_found_positions, v_found_last, v_found_same
        FROM unnest(v_ids) WITH ORDINALITY AS u(id, ord)
        JOIN ${t.events} e ON e.event_id = u.id;
      IF v_found > 0 THEN
        IF v_found = v_count AND v_found_same THEN
          outcomes := outcomes || 1::smallint;
          stream_versions := stream_versions || v_found_last;
          duplicate_positions := duplicate_positions || v_found_positions;
        ELSE
          outcomes := outcomes || 3::smallint;
          stream_versions := stream_versions || v_current;
        END IF;
        v_decided := true;
      ELSIF NOT (v_expected = ${EXPECTED_ANY} OR v_expected = v_current
                 OR (v_expected = ${EXPECTED_STREAM_EXISTS} AND v_current > 0)) THEN
        outcomes := outcomes || 2::smallint;
        stream_versions := stream_versions || v_current;
        v_decided := true;
      ELSE
        BEGIN
          -- Positions are taken in row order, so the sorted positions follow the versions.
          WITH inserted AS (
            INSERT INTO ${t.events} (stream_id, version, event_id, type, schema_version, data, metadata)
            SELECT v_stream, v_current + u.k, u.id, p_types[v_offset + u.k],
                   p_schema_versions[v_offset + u.k], p_data[v_offset + u.k]::jsonb,
                   p_metadata[v_offset + u.k]::jsonb
              FROM unnest(v_ids) WITH ORDINALITY AS u(id, k)
             ORDER BY u.k
            RETURNING position
          )
          SELECT array_agg(position ORDER BY position) INTO v_inserted FROM inserted;
          outcomes := outcomes || 0::smallint;
          stream_versions := stream_versions || (v_current + v_count);
          positions := positions || v_inserted;
          v_decided := true;
        EXCEPTION WHEN unique_violation THEN
          -- A concurrent writer took this version or these ids and committed: decide again.
          NULL;
        END;
      END IF;
    END LOOP;
    v_offset := v_offset + v_count;
  END LOOP;
END
$fn$`;
  const fast = `
CREATE OR REPLACE FUNCTION ${t.fastAppendFunction}(
  p_streams text[],
  p_expected bigint[],
  p_counts integer[],
  p_event_ids uuid[],
  p_types text[],
  p_schema_versions integer[],
  p_data text[],
  p_metadata text[],
  p_event_appends integer[],
  p_event_indexes integer[],${outputs}
) LANGUAGE sql AS $fn$
  SELECT * FROM ${t.appendFunction}(p_streams, p_expected, p_counts, p_event_ids, p_types,
                                    p_schema_versions, p_data, p_metadata)
$fn$`;
  const packed = `
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
  p_event_indexes integer[],${outputs}
) LANGUAGE sql AS $fn$
  SELECT d.*
    FROM (SELECT coalesce(array_agg(convert_from(substring(p_payloads FROM u.o FOR u.dl), 'UTF8')
                                    ORDER BY u.n), '{}') AS data,
                 coalesce(array_agg(convert_from(substring(p_payloads FROM u.o + u.dl FOR u.ml), 'UTF8')
                                    ORDER BY u.n), '{}') AS metadata
            FROM unnest(p_offsets, p_data_lengths, p_metadata_lengths) WITH ORDINALITY AS u(o, dl, ml, n)) p,
         LATERAL ${t.appendFunction}(p_streams, p_expected, p_counts, p_event_ids, p_types,
                                    p_schema_versions, p.data, p.metadata) d
$fn$`;
  return [decide, fast, packed];
}
