import { TransactionsUnsupportedError } from '../errors/transactions-unsupported.error';
import type { Event } from '../event/event';
import type { EventLog, StoredEvent } from './event-log';
import type { InlineProjectionEntry, InlineProjectionSet } from './inline-projection-set';
import { projectOne } from './inline-projection-set';

/** What a rebuild reads the log with. */
export interface InlineRebuildSource {
  readonly storage: EventLog;
  /** Turns a stored event into its event instance (upcast). */
  decode(stored: StoredEvent): Event;
  /** Events per page, each page fed in its own transaction. */
  readonly pageSize: number;
}

/** Catch-up rounds before the last stretch is replayed with appends held. */
const MAX_CATCH_UP_ROUNDS = 5;
/** How long a replay short of its target waits for a gap in the log to close or be proven gone. */
const GAP_RETRY_MS = 20;

/**
 * Rebuilds an inline projection from the whole log, while appends go on:
 *
 * 1. From now on appends skip the projection (they note their positions); the
 *    transactions that may have projected it already are waited for.
 * 2. `reset(manager)` empties the read model in its own transaction.
 * 3. The log is replayed from position 1, a page per transaction, up to the
 *    newest committed position, then again to the newest one then, a few
 *    rounds while more than a page came in meanwhile.
 * 4. The gate is shut: once the transactions in flight have committed, appends
 *    wait while the events appended meanwhile (up to the highest position that
 *    skipped the projection) are replayed; then it runs inline again and the gate opens.
 *
 * So every event is applied once, in position order: by the rebuild up to the
 * switch, by its append after it. The read model is behind only during the
 * rebuild, and appends wait only for the last pages. A failure leaves it
 * `failed` (skipped by appends) until a rebuild succeeds.
 */
export function rebuildInlineProjection(
  set: InlineProjectionSet,
  entry: InlineProjectionEntry,
  source: InlineRebuildSource,
): Promise<void> {
  if (entry.rebuild) return entry.rebuild;
  entry.state = 'rebuilding';
  entry.rebuiltUpTo = 0;
  entry.skippedUpTo = 0;
  entry.lastError = undefined;
  const rebuild = run(set, entry, source).then(
    () => {
      entry.rebuild = undefined;
    },
    (error: unknown) => {
      entry.state = 'failed';
      entry.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      entry.rebuild = undefined;
      throw error;
    },
  );
  entry.rebuild = rebuild;
  return rebuild;
}

async function run(
  set: InlineProjectionSet,
  entry: InlineProjectionEntry,
  source: InlineRebuildSource,
): Promise<void> {
  const { storage } = source;
  if (storage.transaction === undefined) {
    throw new TransactionsUnsupportedError(storage.constructor.name);
  }
  const projection = entry.projection;
  await set.drain();
  if (projection.reset) {
    await storage.transaction(async (tx) => {
      await projection.reset!(tx.manager);
    });
  }
  // Catch up in rounds, each to the newest position when it starts, while more than a page
  // came in meanwhile: the last stretch, replayed while appends wait, stays short.
  for (let round = 0; round < MAX_CATCH_UP_ROUNDS; round++) {
    const target = Math.max(await newestPosition(storage), set.highestCommitted);
    if (round > 0 && target - entry.rebuiltUpTo <= source.pageSize) break;
    await replayTo(entry, source, target);
  }
  await set.shut(async () => {
    // The transactions that skipped it have committed: replay up to them (and whatever
    // else was appended) before the appends project it again.
    const last = Math.max(await newestPosition(storage), set.highestCommitted, entry.skippedUpTo);
    await replayTo(entry, source, last);
    entry.state = 'inline';
  });
}

/**
 * The newest committed position: the rebuild must reach it. The head
 * position (`readAll`'s high-water mark) can stay below it for a while, behind a
 * gap not yet proven gone (a rolled-back append on PostgreSQL), so the newest
 * event is read too, where the storage can browse backwards.
 */
async function newestPosition(storage: EventLog): Promise<number> {
  const head = await storage.headPosition();
  if (!storage.readBackward) return head;
  const [newest] = await storage.readBackward({ toPosition: Number.MAX_SAFE_INTEGER, limit: 1 });
  return Math.max(head, newest?.position ?? 0);
}

/**
 * Replays pages after `rebuiltUpTo` until it is at `target` or more. Short of
 * `target`, an empty read is a gap still in flight (or not yet proven gone):
 * it waits and reads again.
 */
async function replayTo(entry: InlineProjectionEntry, source: InlineRebuildSource, target: number) {
  const { storage, pageSize } = source;
  const projection = entry.projection;
  while (entry.rebuiltUpTo < target) {
    const page = await storage.readAll({ fromPosition: entry.rebuiltUpTo + 1, limit: pageSize });
    if (page.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, GAP_RETRY_MS));
      continue;
    }
    await storage.transaction!(async (tx) => {
      for (const stored of page) {
        if (projection.handles && !projection.handles(stored.type)) continue;
        await projectOne(projection, source.decode(stored), {
          manager: tx.manager,
          streamId: stored.streamId,
          version: stored.version,
          type: stored.type,
          eventId: stored.eventId,
          position: stored.position,
          replaying: true,
        });
      }
    });
    entry.rebuiltUpTo = page[page.length - 1].position;
  }
}
