import { InvalidStorageOptionError } from '../../errors/invalid-storage-option.error';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PREFIX = /^[A-Za-z0-9_]*$/;

/**
 * The quoted names of the MySQL storage's tables for one `schema` (a MySQL
 * database; default: the connection's own) and `tablePrefix`. Names are
 * validated, not escaped: they are spliced into SQL text.
 */
export class MysqlTables {
  /** The database holding the tables, when not the connection's own. */
  readonly schema: string | undefined;
  readonly prefix: string;
  readonly streams: string;
  readonly events: string;
  /** One row holding the last global position handed out (the append serialization point). */
  readonly logHead: string;
  readonly snapshots: string;
  readonly processors: string;
  readonly parked: string;
  /** Unquoted name of TypeORM's migrations table for this store. */
  readonly migrationsTableName: string;

  constructor(schema: string | undefined, prefix: string) {
    if (schema !== undefined && (!IDENTIFIER.test(schema) || schema.length > 64)) {
      throw new InvalidStorageOptionError(
        `schema (MySQL database) "${schema}" must be a plain identifier (letters, digits, _; at most 64)`,
      );
    }
    if (!PREFIX.test(prefix) || prefix.length > 30) {
      throw new InvalidStorageOptionError(
        `tablePrefix "${prefix}" may only hold letters, digits and _ (at most 30)`,
      );
    }
    this.schema = schema;
    this.prefix = prefix;
    this.streams = this.qualify('streams');
    this.events = this.qualify('events');
    this.logHead = this.qualify('log_head');
    this.snapshots = this.qualify('snapshots');
    this.processors = this.qualify('processors');
    this.parked = this.qualify('parked_events');
    this.migrationsTableName = `${prefix}migrations`;
  }

  /** `` `schema`.`prefix<name>` `` or `` `prefix<name>` ``. */
  qualify(name: string): string {
    const table = `\`${this.prefix}${name}\``;
    return this.schema === undefined ? table : `\`${this.schema}\`.${table}`;
  }

  /** Unqualified, quoted `` `prefix<name>` ``, for index and constraint names. */
  local(name: string): string {
    return `\`${this.prefix}${name}\``;
  }
}
