import { MissingPeerDependencyError } from '../errors/missing-peer-dependency.error';

/** How a package loads its peers: its own `require`, so resolution starts from that package. */
export type PeerRequire = NodeRequire;

/**
 * Loads an optional peer package (`typeorm`, `pg`, `mysql2`, `class-validator`,
 * `prom-client`) when the feature that needs it is used, never at import
 * time, so an app that does not use the feature does not install it.
 *
 * Pass the calling package's `require`: peers are resolved from the package
 * that declares them (strict layouts such as pnpm hide them from siblings).
 * A missing package throws {@link MissingPeerDependencyError}; a package that
 * is installed but fails to load (or misses a dependency of its own) throws
 * its own error unchanged.
 */
export function loadOptionalPeer<T>(
  packageName: string,
  feature: string,
  load: PeerRequire = require,
): T {
  try {
    return load(packageName) as T;
  } catch (error) {
    if (isNotFound(error, packageName)) {
      throw new MissingPeerDependencyError(packageName, feature, { cause: error });
    }
    throw error;
  }
}

/** True when `packageName` can be resolved (without loading it): decides defaults such as validation. */
export function isOptionalPeerInstalled(packageName: string, load: PeerRequire = require): boolean {
  try {
    load.resolve(packageName);
    return true;
  } catch (error) {
    if (isNotFound(error, packageName)) return false;
    throw error;
  }
}

// Only the package itself counts as missing: a nested dependency it cannot find is its own problem.
function isNotFound(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    code === 'MODULE_NOT_FOUND' &&
    typeof message === 'string' &&
    message.startsWith(`Cannot find module '${packageName}'`)
  );
}
