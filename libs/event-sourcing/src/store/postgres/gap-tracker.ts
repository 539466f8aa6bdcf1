/** Where a read had to stop: positions up to `upTo` are missing and not yet proven gone. */
export interface UnprovenGap {
  readonly upTo: number;
  /** True when no marker covers the gap yet: take one with `pg_current_xact_id()`. */
  readonly needsMarker: boolean;
}

/** How much of a read is safe to hand out. */
export interface SafePrefix {
  /** Number of leading rows that are safe. */
  readonly count: number;
  readonly gap?: UnprovenGap;
}

/**
 * Decides how far the global log can be read without ever skipping an event.
 *
 * A position is taken when a row is inserted, not when its transaction
 * commits, so position 11 can be visible while 10 is still in flight. A read
 * therefore stops at the first missing position (a gap) unless the gap is
 * proven permanent (its insert rolled back, or a failed statement burned it).
 *
 * The proof: when a gap is first seen, a fresh transaction id is allocated
 * (the marker), and the highest position visible just before it is noted.
 * Every missing position below that one was taken before it, by a transaction
 * that already had an id (every append takes its transaction id with
 * `pg_current_xact_id()` before it takes any position), so lower than the
 * marker. Once a later read's snapshot
 * has `xmin >= marker`, every transaction with a lower id has ended; a position
 * still missing in that same snapshot never commits. One marker so proves
 * every gap of the history below it at once.
 *
 * (Comparing with the `xmax` of the snapshot that first saw the gap is not
 * enough: a transaction whose id is at or above that `xmax` can already be
 * running, since `xmax` is only "latest completed + 1".)
 */
export class GapTracker {
  /** Every position up to here is visible or gone for good. */
  private safeHead = 0;
  private marker?: { readonly upTo: number; readonly xid: bigint };

  /** The highest position known to be safe. */
  get head(): number {
    return this.safeHead;
  }

  /** Markers taken so far (each one extra, cheap transaction). */
  markers = 0;

  /**
   * Given the positions of a read in increasing order, starting at `from`,
   * and the `xmin` of the very snapshot that read them, returns how many
   * leading rows are safe, and the gap that stopped it, if any.
   */
  safePrefix(from: number, positions: readonly number[], snapshotXmin?: bigint): SafePrefix {
    let expected = Math.max(from, 1);
    const extendsHead = expected <= this.safeHead + 1;
    let count = 0;
    for (const position of positions) {
      if (position > expected && !this.isGone(position - 1, snapshotXmin)) {
        const upTo = position - 1;
        const needsMarker = !this.marker || this.marker.upTo < upTo;
        return { count, gap: { upTo, needsMarker } };
      }
      count += 1;
      expected = position + 1;
      if (extendsHead && position > this.safeHead) this.safeHead = position;
    }
    if (this.marker && this.safeHead >= this.marker.upTo) this.marker = undefined;
    return { count };
  }

  /**
   * Records that every position from `from + 1` to `to` is visible (one
   * snapshot counted as many rows as positions there).
   */
  advanceTo(from: number, to: number): void {
    if (from <= this.safeHead && to > this.safeHead) this.safeHead = to;
    if (this.marker && this.safeHead >= this.marker.upTo) this.marker = undefined;
  }

  /**
   * Records a marker: a transaction id taken after every position up to
   * `upTo` was either visible or already taken.
   */
  markGap(upTo: number, xid: bigint): void {
    this.markers += 1;
    if (!this.marker || this.marker.upTo < upTo) this.marker = { upTo, xid };
  }

  /** True when every missing position up to `upTo` (just below a visible one) is gone for good. */
  private isGone(upTo: number, snapshotXmin?: bigint): boolean {
    if (upTo <= this.safeHead) return true;
    return (
      this.marker !== undefined &&
      upTo <= this.marker.upTo &&
      snapshotXmin !== undefined &&
      snapshotXmin >= this.marker.xid
    );
  }
}
