import { isPostgresInvalidInput } from '@cello/core/internal';
import type { Pool } from 'pg';
import { toSagaStorageError } from '../../sql/saga-storage-error';
import type { SagaTables } from '../saga-tables';

/** What each PostgreSQL saga operation runs on: the table names and one-statement queries. */
export class PostgresSagaSql {
  constructor(
    readonly tables: SagaTables,
    private readonly pool: () => Pool,
  ) {}

  /**
   * One statement, prepared under `name`. A refused value (SQLSTATE 22, 23)
   * becomes `SagaInvalidInputError`, never retried; anything else means the
   * database could not do it now: `SagaStorageUnavailableError`.
   */
  async query<T extends object>(
    name: string,
    text: string,
    values: unknown[],
    sagaId?: string,
  ): Promise<T[]> {
    try {
      const result = await this.pool().query<T>({
        name: `${this.tables.prefix}${name}`,
        text,
        values,
      });
      return result.rows;
    } catch (error) {
      throw toSagaStorageError(name.replace(/_/g, ' '), error, sagaId, isPostgresInvalidInput);
    }
  }
}
