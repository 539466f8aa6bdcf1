import { EventSourcingError } from './event-sourcing.error';

/** The `storage` option of `EventSourcingModule.forRoot` is not something the module can use. */
export class InvalidStorageOptionError extends EventSourcingError {
  static readonly code = 'invalid-storage-option';

  constructor(detail: string) {
    super(
      InvalidStorageOptionError.code,
      `EventSourcingModule option "storage" is invalid: ${detail}. Use 'memory', a ` +
        'postgresql:// or mysql:// URL, a TypeORM DataSource for PostgreSQL or MySQL/MariaDB, ' +
        'or an EventStorage instance.',
    );
  }
}
