import { createHash } from 'node:crypto';
import { checkIdentifier, SqlTableNames } from '../sql/sql-table-names';

/**
 * The qualified, quoted names of the storage's tables, function and NOTIFY
 * channel for one `schema` + `tablePrefix`: `"schema"."prefix<name>"`. Names
 * are validated, not escaped: they are spliced into SQL text (identifiers
 * cannot be parameters).
 */
export class PostgresTables extends SqlTableNames {
  readonly schema: string;
  /** Quoted schema, e.g. `"public"`. */
  readonly quotedSchema: string;
  /** The append function that decides each append of a batch precisely (the slow path). */
  readonly appendFunction: string;
  /** An earlier entry point, kept for instances of earlier versions; calls `appendFunction`. */
  readonly fastAppendFunction: string;
  /** The slow path the storage calls (packed payloads), unpacking for `appendFunction`. */
  readonly packedAppendFunction: string;
  /** LISTEN/NOTIFY channel woken by every append. */
  readonly channel: string;
  /** Short stable hash, to name prepared statements uniquely per schema and prefix. */
  readonly key: string;

  constructor(schema: string, prefix: string) {
    const quotedSchema = `"${checkIdentifier('schema', schema, 63)}"`;
    super(prefix, (name) => `${quotedSchema}."${prefix}${name}"`);
    this.schema = schema;
    this.quotedSchema = quotedSchema;
    this.appendFunction = this.qualify('append_events');
    this.fastAppendFunction = this.qualify('append_events_fast');
    this.packedAppendFunction = this.qualify('append_events_packed');
    this.key = createHash('sha1').update(`${schema}.${prefix}`).digest('hex').slice(0, 10);
    // Channel names are identifiers (at most 63 bytes): the hash keeps them short and unique.
    this.channel = `${prefix}events_${this.key}`;
  }

  /** Unqualified, quoted `"prefix<name>"`, for index and constraint names. */
  local(name: string): string {
    return `"${this.prefix}${name}"`;
  }
}
