import { createHash } from 'node:crypto';
import { InvalidStorageOptionError } from '../../errors/invalid-storage-option.error';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PREFIX = /^[A-Za-z0-9_]*$/;

/**
 * The qualified, quoted names of the storage's tables, function and NOTIFY
 * channel for one `schema` + `tablePrefix`. Names are validated, not escaped:
 * they are spliced into SQL text (identifiers cannot be parameters).
 */
export class PostgresTables {
  readonly schema: string;
  readonly prefix: string;
  /** Quoted schema, e.g. `"public"`. */
  readonly quotedSchema: string;
  readonly streams: string;
  readonly events: string;
  readonly snapshots: string;
  readonly processors: string;
  readonly parked: string;
  readonly appendFunction: string;
  /** The previous fast-path append function, kept for instances of the previous version. */
  readonly fastAppendFunction: string;
  /** The append function the storage calls (packed payloads, falls back to `appendFunction`). */
  readonly packedAppendFunction: string;
  /** Unquoted name of TypeORM's migrations table for this store. */
  readonly migrationsTableName: string;
  /** LISTEN/NOTIFY channel woken by every append. */
  readonly channel: string;
  /** Short stable hash, to name prepared statements uniquely per schema and prefix. */
  readonly key: string;

  constructor(schema: string, prefix: string) {
    if (!IDENTIFIER.test(schema) || schema.length > 63) {
      throw new InvalidStorageOptionError(
        `schema "${schema}" must be a plain identifier (letters, digits, _; at most 63)`,
      );
    }
    if (!PREFIX.test(prefix) || prefix.length > 30) {
      throw new InvalidStorageOptionError(
        `tablePrefix "${prefix}" may only hold letters, digits and _ (at most 30)`,
      );
    }
    this.schema = schema;
    this.prefix = prefix;
    this.quotedSchema = `"${schema}"`;
    this.streams = this.qualify('streams');
    this.events = this.qualify('events');
    this.snapshots = this.qualify('snapshots');
    this.processors = this.qualify('processors');
    this.parked = this.qualify('parked_events');
    this.appendFunction = this.qualify('append_events');
    this.fastAppendFunction = this.qualify('append_events_fast');
    this.packedAppendFunction = this.qualify('append_events_packed');
    this.migrationsTableName = `${prefix}migrations`;
    this.key = createHash('sha1').update(`${schema}.${prefix}`).digest('hex').slice(0, 10);
    // Channel names are identifiers (at most 63 bytes): the hash keeps them short and unique.
    this.channel = `${prefix}events_${this.key}`;
  }

  /** `"schema"."prefix<name>"`. */
  qualify(name: string): string {
    return `"${this.schema}"."${this.prefix}${name}"`;
  }

  /** Unqualified, quoted `"prefix<name>"`, for index and constraint names. */
  local(name: string): string {
    return `"${this.prefix}${name}"`;
  }
}
