import type { DataSourceLike } from './is-typeorm-data-source';

const shared = new WeakSet<object>();

/**
 * Makes concurrent `initialize()` calls on an app's DataSource share one
 * attempt. With one pool for events, sagas and the app's read model, all
 * three may initialize it at once while the database comes back, and
 * TypeORM would open a pool per call and keep only the last. Once
 * initialized, `initialize()` resolves instead of throwing. Patches the
 * instance (not the class: a second copy of TypeORM may be loaded), once.
 */
export function shareDataSourceInitialize(dataSource: DataSourceLike): void {
  if (shared.has(dataSource)) return;
  shared.add(dataSource);
  const target = dataSource as DataSourceLike & { isInitialized?: boolean };
  const initialize = target.initialize.bind(target);
  let attempt: Promise<unknown> | undefined;
  target.initialize = () => {
    if (target.isInitialized === true) return Promise.resolve(target);
    attempt ??= initialize().finally(() => {
      attempt = undefined;
    });
    return attempt;
  };
}
