import type { MigrationInterface } from 'typeorm';
import type { PostgresTables } from '../postgres-tables';
import { AddFastAppendFunction1795837200000 } from './add-fast-append-function.migration';
import { AddPackedAppendFunction1795848000000 } from './add-packed-append-function.migration';
import { AllowUnstartedProcessorCheckpoint1796610700000 } from './allow-unstarted-processor-checkpoint.migration';
import { CreateEventStoreTables1764300000000 } from './create-event-store-tables.migration';
import { DropStreamRows1796700000000 } from './drop-stream-rows.migration';

/**
 * Every shipped migration of the PostgreSQL event store, oldest first, bound
 * to one schema and table prefix. Add new ones at the end; never edit a
 * migration that has shipped.
 */
export function eventStoreMigrations(tables: PostgresTables): MigrationInterface[] {
  return [
    new CreateEventStoreTables1764300000000(tables),
    new AddFastAppendFunction1795837200000(tables),
    new AddPackedAppendFunction1795848000000(tables),
    new AllowUnstartedProcessorCheckpoint1796610700000(tables),
    new DropStreamRows1796700000000(tables),
  ];
}
