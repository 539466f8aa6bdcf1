import { Injectable } from '@nestjs/common';
import { Ledger } from './ledger';
import type { LedgerAction, LedgerEntry, LedgerService, LedgerWrite } from './ledger-entry';

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
    const row: Row = { entry: { ...fields, at: new Date() }, answer };
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

  async list(orderId?: string): Promise<LedgerEntry[]> {
    return this.rows
      .map((row) => row.entry)
      .filter((entry) => orderId === undefined || entry.orderId === orderId);
  }
}
