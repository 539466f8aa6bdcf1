import type { DataSource } from 'typeorm';

/**
 * Initialises a DataSource the storage opened itself and builds the storage
 * on it; if that fails (migrations, a version check), the DataSource is
 * destroyed rather than leaked.
 */
export async function openWithOwnDataSource<S>(
  dataSource: DataSource,
  open: (dataSource: DataSource) => Promise<S>,
): Promise<S> {
  await dataSource.initialize();
  try {
    return await open(dataSource);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}
