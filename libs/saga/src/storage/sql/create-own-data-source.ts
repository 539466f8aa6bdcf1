import { loadOptionalPeer } from '@cello/core/internal';
import type * as TypeOrm from 'typeorm';
import type { DataSource, DataSourceOptions } from 'typeorm';

/**
 * A DataSource the storage opens (and closes) itself. The optional peers are
 * loaded only here, the driver first, so that its absence is named rather
 * than reported by TypeORM.
 */
export function createOwnDataSource(
  driver: 'pg' | 'mysql2',
  storageName: string,
  options: DataSourceOptions,
): DataSource {
  loadOptionalPeer(driver, storageName, require);
  const { DataSource } = loadOptionalPeer<typeof TypeOrm>('typeorm', storageName, require);
  return new DataSource(options);
}
