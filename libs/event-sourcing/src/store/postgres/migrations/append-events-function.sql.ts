import type { PostgresTables } from '../postgres-tables';

/** Outcome codes returned per append by the append function. */
export const APPEND_OUTCOME = {
  appended: 0,
  duplicate: 1,
  conflict: 2,
  partialDuplicate: 3,
} as const;

/** Encodings of the non-numeric expected versions (numbers >= 0 are exact versions). */
export const EXPECTED_ANY = -1;
export const EXPECTED_STREAM_EXISTS = -3;

/**
 * The append function: a batch of appends (one or many, coalesced) in one
 * call, so one round trip and one commit when called outside `BEGIN`.
 *
 * Appends are given as parallel arrays: per append its stream, expected
 * version and event count; per event (flattened, in order) its fields.
 * Each append is decided on its own, in order (several appends to one stream
 * see each other), so one append's conflict never fails another. Only the
 * accepted appends' events are inserted, by one `INSERT`, so an append is
 * all or nothing. Returns per append an outcome and a stream version (the new
 * version, the conflicting actual one, or the first write's last version for a
 * duplicate), the positions of the inserted events in order, and the
 * positions of duplicates' first writes in order.
 */
export function appendFunctionSql(t: PostgresTables): string {
  return `
CREATE OR REPLACE FUNCTION ${t.appendFunction}(
  p_streams text[],
  p_expected bigint[],
  p_counts integer[],
  p_event_ids uuid[],
  p_types text[],
  p_schema_versions integer[],
  p_data text[],
  p_metadata text[],
  OUT outcomes smallint[],
  OUT stream_versions bigint[],
  OUT positions bigint[],
  OUT duplicate_positions bigint[]
) LANGUAGE plpgsql AS $fn$
DECLARE
  v_appends integer := coalesce(array_length(p_streams, 1), 0);
  v_locked_ids text[];
  v_locked_versions bigint[];
  v_known uuid[];
  v_offset integer := 0;
  v_slot integer;
  v_count integer;
  v_current bigint;
  v_expected bigint;
  v_found integer;
  v_found_positions bigint[];
  v_found_last bigint;
  v_found_same boolean;
  v_accepted integer := 0;
  v_source integer[] := '{}';
  v_stream text[] := '{}';
  v_version bigint[] := '{}';
BEGIN
  outcomes := '{}';
  stream_versions := '{}';
  positions := '{}';
  duplicate_positions := '{}';

  -- Lock every stream row of the batch, creating missing ones, in one sorted
  -- order, so concurrent batches (from any instance) never deadlock. "DO
  -- UPDATE ... WHERE false" locks an existing row without writing a new
  -- version of it. This write also gives the transaction its id before any
  -- position is taken, which the gap-free global read relies on.
  INSERT INTO ${t.streams} AS s (stream_id, version)
  SELECT DISTINCT u.id, 0 FROM unnest(p_streams) AS u(id) ORDER BY u.id
  ON CONFLICT (stream_id) DO UPDATE SET version = s.version WHERE false;
  -- A new statement, so a new snapshot: the latest versions, now that they are locked.
  SELECT array_agg(s.stream_id), array_agg(s.version) INTO v_locked_ids, v_locked_versions
    FROM ${t.streams} s WHERE s.stream_id = ANY (p_streams);

  -- Idempotency: which of these event ids are stored already (usually none).
  SELECT array_agg(e.event_id) INTO v_known FROM ${t.events} e WHERE e.event_id = ANY (p_event_ids);

  FOR i IN 1 .. v_appends LOOP
    v_count := p_counts[i];
    v_slot := array_position(v_locked_ids, p_streams[i]);
    v_current := v_locked_versions[v_slot];
    IF v_known IS NOT NULL AND p_event_ids[v_offset + 1 : v_offset + v_count] && v_known THEN
      SELECT count(*), array_agg(e.position ORDER BY u.ord), max(e.version),
             bool_and(e.stream_id = p_streams[i])
        INTO v_found, v_found_positions, v_found_last, v_found_same
        FROM unnest(p_event_ids[v_offset + 1 : v_offset + v_count]) WITH ORDINALITY AS u(id, ord)
        JOIN ${t.events} e ON e.event_id = u.id;
      IF v_found = v_count AND v_found_same THEN
        outcomes := outcomes || 1::smallint;
        stream_versions := stream_versions || v_found_last;
        duplicate_positions := duplicate_positions || v_found_positions;
      ELSE
        outcomes := outcomes || 3::smallint;
        stream_versions := stream_versions || v_current;
      END IF;
    ELSE
      v_expected := p_expected[i];
      IF v_expected = ${EXPECTED_ANY} OR v_expected = v_current
         OR (v_expected = ${EXPECTED_STREAM_EXISTS} AND v_current > 0) THEN
        -- Element assignments stay cheap (in place, no query) for the many small appends.
        FOR k IN 1 .. v_count LOOP
          v_accepted := v_accepted + 1;
          v_source[v_accepted] := v_offset + k;
          v_stream[v_accepted] := p_streams[i];
          v_version[v_accepted] := v_current + k;
        END LOOP;
        v_locked_versions[v_slot] := v_current + v_count;
        outcomes := outcomes || 0::smallint;
        stream_versions := stream_versions || (v_current + v_count);
      ELSE
        outcomes := outcomes || 2::smallint;
        stream_versions := stream_versions || v_current;
      END IF;
    END IF;
    v_offset := v_offset + v_count;
  END LOOP;

  IF v_accepted > 0 THEN
    -- Positions are taken in row order, so the sorted positions line up with
    -- the events in order. When every append was accepted (the usual case)
    -- the arrays are inserted as they are; otherwise through the accepted indexes.
    IF v_accepted = array_length(p_event_ids, 1) THEN
      WITH inserted AS (
        INSERT INTO ${t.events} (stream_id, version, event_id, type, schema_version, data, metadata)
        SELECT u.stream_id, u.version, u.event_id, u.type, u.schema_version, u.data::jsonb, u.metadata::jsonb
          FROM unnest(v_stream, v_version, p_event_ids, p_types, p_schema_versions, p_data, p_metadata)
            AS u(stream_id, version, event_id, type, schema_version, data, metadata)
        RETURNING position
      )
      SELECT array_agg(position ORDER BY position) INTO positions FROM inserted;
    ELSE
      WITH inserted AS (
        INSERT INTO ${t.events} (stream_id, version, event_id, type, schema_version, data, metadata)
        SELECT v_stream[j], v_version[j], p_event_ids[v_source[j]], p_types[v_source[j]],
               p_schema_versions[v_source[j]], p_data[v_source[j]]::jsonb, p_metadata[v_source[j]]::jsonb
          FROM generate_subscripts(v_source, 1) AS j
         ORDER BY j
        RETURNING position
      )
      SELECT array_agg(position ORDER BY position) INTO positions FROM inserted;
    END IF;

    UPDATE ${t.streams} s SET version = l.version
      FROM unnest(v_locked_ids, v_locked_versions) AS l(id, version)
     WHERE s.stream_id = l.id AND s.version <> l.version;

    PERFORM pg_notify('${t.channel}', '');
  END IF;
END
$fn$`;
}
