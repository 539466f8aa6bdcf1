import { InvalidStorageOptionError } from '../../errors/invalid-storage-option.error';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PREFIX = /^[A-Za-z0-9_]*$/;

/**
 * The quoted names of the tables every SQL event storage has, for one
 * `tablePrefix`. Names are validated, not escaped: they are spliced into SQL
 * text (identifiers cannot be parameters). Each backend adds its own names.
 */
export abstract class SqlTableNames {
  readonly streams: string;
  readonly events: string;
  readonly snapshots: string;
  readonly processors: string;
  readonly parked: string;
  /** Unquoted name of TypeORM's migrations table for this store. */
  readonly migrationsTableName: string;

  /** `quote(name)` gives the quoted (and qualified) name of table `<prefix><name>`. */
  protected constructor(
    readonly prefix: string,
    private readonly quote: (name: string) => string,
  ) {
    if (!PREFIX.test(prefix) || prefix.length > 30) {
      throw new InvalidStorageOptionError(
        `tablePrefix "${prefix}" may only hold letters, digits and _ (at most 30)`,
      );
    }
    this.streams = quote('streams');
    this.events = quote('events');
    this.snapshots = quote('snapshots');
    this.processors = quote('processors');
    this.parked = quote('parked_events');
    this.migrationsTableName = `${prefix}migrations`;
  }

  /** The quoted, qualified name of the table (or function) `<prefix><name>`. */
  qualify(name: string): string {
    return this.quote(name);
  }
}

/** `name`, once checked to be a plain identifier of at most `maxLength` characters. */
export function checkIdentifier(option: string, name: string, maxLength: number): string {
  if (!IDENTIFIER.test(name) || name.length > maxLength) {
    throw new InvalidStorageOptionError(
      `${option} "${name}" must be a plain identifier (letters, digits, _; at most ${maxLength})`,
    );
  }
  return name;
}
