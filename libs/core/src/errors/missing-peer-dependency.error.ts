import { CelloError } from './cello-error';

/**
 * A feature needs an optional peer package the app has not installed (e.g.
 * PostgreSQL storage needs `pg` and `typeorm`). Thrown when the feature is
 * set up, so the app fails at start-up, naming the package to install.
 */
export class MissingPeerDependencyError extends CelloError {
  static readonly code = 'missing-peer-dependency';

  constructor(
    /** The package to install, e.g. `pg`. */
    readonly packageName: string,
    /** What needs it, e.g. `PostgreSQL event storage`. */
    readonly feature: string,
    options?: { cause?: unknown },
  ) {
    super(
      MissingPeerDependencyError.code,
      `${feature} needs the package "${packageName}", which is not installed. Install it: npm install ${packageName}`,
      options,
    );
  }
}
