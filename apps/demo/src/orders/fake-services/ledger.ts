import type {
  LedgerAction,
  LedgerEntry,
  LedgerFilter,
  LedgerService,
  LedgerWrite,
} from './ledger-entry';

/**
 * What the fake services did, kept where their effects are: an effect and its
 * ledger row are one record, so a crash cannot leave one without the other.
 * Each (service, action, idempotency key) and each (service, action, reference)
 * is recorded at most once; a repeat gets the first answer back.
 */
export abstract class Ledger {
  /**
   * Records `write` unless the same key, or the same action on the same
   * reference, was recorded before; resolves to the answer that was stored first.
   */
  abstract record(write: LedgerWrite): Promise<Record<string, unknown>>;

  /** The entry of `action` on `reference` (e.g. the reservation being released), if any. */
  abstract find(
    service: LedgerService,
    action: LedgerAction,
    reference: string,
  ): Promise<LedgerEntry | undefined>;

  /** Entries in the order they were recorded, filtered and paged by `filter`. */
  abstract list(filter?: LedgerFilter): Promise<LedgerEntry[]>;
}
