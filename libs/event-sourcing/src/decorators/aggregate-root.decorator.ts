import { InvalidEventSourcingDecoratorError } from '../errors/invalid-event-sourcing-decorator.error';
import {
  checkClassTarget,
  checkDecoratorOptions,
  checkSchemaVersion,
} from './decorator-use-checks';

/** Metadata key: what `@AggregateRoot` records on an aggregate class. */
export const AGGREGATE_ROOT_METADATA = 'cello:aggregate-root';

/** Options of `@AggregateRoot(options)`. */
export interface AggregateRootOptions {
  /** Stable type name of the aggregate (snapshots are stored under it). Default: the class name. */
  type?: string;
  /** Schema version of the aggregate's snapshot state; raise it when the state's shape changes. Default 1. */
  snapshotSchemaVersion?: number;
}

/** What `@AggregateRoot` records. */
export interface AggregateRootMetadata {
  readonly type: string;
  readonly snapshotSchemaVersion: number;
}

/**
 * Gives an aggregate class a stable type name and the schema version of its
 * snapshot state. Without it the class name is used and the version is 1
 * (a rename then only costs a rebuild from events, never data).
 */
export function AggregateRoot(options: AggregateRootOptions = {}): ClassDecorator {
  const where = 'an aggregate class';
  checkDecoratorOptions('@AggregateRoot', where, options, ['type', 'snapshotSchemaVersion']);
  if (options.type !== undefined && (typeof options.type !== 'string' || options.type === '')) {
    throw new InvalidEventSourcingDecoratorError(
      '@AggregateRoot',
      where,
      `type is ${JSON.stringify(options.type)}.`,
      'Give a non-empty, stable type name, or leave it out for the class name.',
    );
  }
  checkSchemaVersion(
    '@AggregateRoot',
    where,
    'snapshotSchemaVersion',
    options.snapshotSchemaVersion,
  );
  const decorate = (target: { readonly name: string }, key?: string | symbol) => {
    checkClassTarget('@AggregateRoot', target, key);
    const metadata: AggregateRootMetadata = {
      type: options.type ?? target.name,
      snapshotSchemaVersion: options.snapshotSchemaVersion ?? 1,
    };
    Reflect.defineMetadata(AGGREGATE_ROOT_METADATA, metadata, target);
  };
  return decorate as ClassDecorator;
}

/** The `@AggregateRoot` metadata of `target`, or the defaults from its class name. */
export function getAggregateRootMetadata(target: { name: string }): AggregateRootMetadata {
  return (
    (Reflect.getOwnMetadata(AGGREGATE_ROOT_METADATA, target) as
      AggregateRootMetadata | undefined) ?? { type: target.name, snapshotSchemaVersion: 1 }
  );
}
