import type { MigrationInterface } from 'typeorm';
import type { MysqlTables } from '../mysql-tables';
import { AllowUnstartedMysqlProcessorCheckpoint1796610700000 } from './allow-unstarted-processor-checkpoint.migration';
import { CreateMysqlEventStoreTables1764310000000 } from './create-event-store-tables.migration';

/**
 * Every shipped migration of the MySQL event store, oldest first, bound to one
 * database and table prefix. Add new ones at the end; never edit a migration
 * that has shipped.
 */
export function mysqlEventStoreMigrations(tables: MysqlTables): MigrationInterface[] {
  return [
    new CreateMysqlEventStoreTables1764310000000(tables),
    new AllowUnstartedMysqlProcessorCheckpoint1796610700000(tables),
  ];
}
