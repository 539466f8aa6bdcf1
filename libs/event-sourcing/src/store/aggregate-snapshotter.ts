import type { CelloMetrics } from '@cello/core';
import type { Logger } from '@nestjs/common';
import type { Aggregate, AggregateClass } from '../aggregate/aggregate';
import { getAggregateRootMetadata } from '../decorators/aggregate-root.decorator';
import { encodeSnapshotState } from '../serialization/snapshot-codec';
import type { SnapshotStore } from './snapshot-store';

/** Writes an aggregate's snapshot (its state at its committed version) for `EventStore`. */
export class AggregateSnapshotter {
  constructor(
    private readonly storage: SnapshotStore,
    private readonly metrics: CelloMetrics,
    private readonly logger: Logger,
  ) {}

  async save(aggregate: Aggregate): Promise<void> {
    const { type, snapshotSchemaVersion } = getAggregateRootMetadata(
      aggregate.constructor as AggregateClass,
    );
    await this.storage.saveSnapshot({
      streamId: aggregate.id,
      aggregateType: type,
      version: aggregate.committedVersion,
      schemaVersion: snapshotSchemaVersion,
      state: encodeSnapshotState(type, aggregate.toSnapshot()),
      createdAt: new Date(),
    });
    this.metrics.snapshotsCreated?.inc({ aggregate: type });
  }

  // A snapshot is an optimisation: failing to take one must not fail the command.
  async trySave(aggregate: Aggregate): Promise<void> {
    try {
      await this.save(aggregate);
    } catch (error) {
      this.logger.warn(
        `Could not snapshot ${aggregate.constructor.name} "${aggregate.id}": ${String(error)}`,
      );
    }
  }
}
