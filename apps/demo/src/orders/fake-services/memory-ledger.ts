import { Injectable } from '@nestjs/common';
import { Ledger } from './ledger';
import type {
  LedgerAction,
  LedgerEntry,
  LedgerFilter,
  LedgerService,
  LedgerWrite,
} from './ledger-entry';

interface Row {
  readonly entry: LedgerEntry;
  readonly answer: Record<string, unknown>;
}

/** The ledger of the embedded default: lost when the process stops, like the rest of its data. */
@Injectable()
export class MemoryLedger extends Ledger {
  private readonly rows: Row[] = [];
  private readonly byKey = new Map<string, Row>();
  private readonly byReference = new Map<string, Row>();

  async record(write: LedgerWrite): Promise<Record<string, unknown>> {
    const key = `${write.service}/${write.action}/${write.idempotencyKey}`;
    const reference = `${write.service}/${write.action}/${write.reference}`;
    const existing = this.byKey.get(key) ?? this.byReference.get(reference);
    if (existing) return existing.answer;
    const { answer, ...fields } = write;
    const row: Row = {
      entry: { ...fields, sequence: this.rows.length + 1, at: new Date() },
      answer,
    };
    this.rows.push(row);
    this.byKey.set(key, row);
    this.byReference.set(reference, row);
    return answer;
  }

  async find(
    service: LedgerService,
    action: LedgerAction,
    reference: string,
  ): Promise<LedgerEntry | undefined> {
    return this.byReference.get(`${service}/${action}/${reference}`)?.entry;
  }

  async list(filter: LedgerFilter = {}): Promise<LedgerEntry[]> {
    // Rows are in sequence order and row i has sequence i + 1: start right after the cursor.
    return this.rows
      .slice(filter.after ?? 0)
      .map((row) => row.entry)
      .filter((entry) => filter.orderId === undefined || entry.orderId === filter.orderId)
      .slice(0, filter.limit);
  }
}
