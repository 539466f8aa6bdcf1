import { checkIdentifier, SqlTableNames } from '../sql/sql-table-names';

/**
 * The quoted names of the MySQL storage's tables for one `schema` (a MySQL
 * database; default: the connection's own) and `tablePrefix`:
 * `` `schema`.`prefix<name>` `` or `` `prefix<name>` ``. Names are validated,
 * not escaped: they are spliced into SQL text.
 */
export class MysqlTables extends SqlTableNames {
  /** The database holding the tables, when not the connection's own. */
  readonly schema: string | undefined;
  /** One row holding the last global position handed out (the append serialization point). */
  readonly logHead: string;

  constructor(schema: string | undefined, prefix: string) {
    const database =
      schema === undefined ? '' : `\`${checkIdentifier('schema (MySQL database)', schema, 64)}\`.`;
    super(prefix, (name) => `${database}\`${prefix}${name}\``);
    this.schema = schema;
    this.logHead = this.qualify('log_head');
  }

  /** Unqualified, quoted `` `prefix<name>` ``, for index and constraint names. */
  local(name: string): string {
    return `\`${this.prefix}${name}\``;
  }
}
