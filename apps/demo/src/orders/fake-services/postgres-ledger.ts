import { Injectable } from '@nestjs/common';
import { DemoConfig } from '../../config/demo-config';
import { DemoDatabase } from '../../database/demo-database';
import { Ledger } from './ledger';
import type {
  LedgerAction,
  LedgerEntry,
  LedgerFilter,
  LedgerService,
  LedgerWrite,
} from './ledger-entry';

interface LedgerRow {
  id: string;
  service: LedgerService;
  action: LedgerAction;
  order_id: string;
  amount: string;
  idempotency_key: string;
  reference: string;
  at: Date;
}

/**
 * The ledger in PostgreSQL (`<servicesSchema>.ledger`). One INSERT is the
 * effect and its record at once; the unique keys make a crash-retried call a
 * no-op that reads back the first answer.
 */
@Injectable()
export class PostgresLedger extends Ledger {
  private readonly table: string;

  constructor(
    private readonly database: DemoDatabase,
    config: DemoConfig,
  ) {
    super();
    this.table = `"${config.servicesSchema}".ledger`;
  }

  async record(write: LedgerWrite): Promise<Record<string, unknown>> {
    const inserted = (await this.database.query(
      `INSERT INTO ${this.table} (service, action, order_id, amount, idempotency_key, reference, answer)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT DO NOTHING
       RETURNING answer`,
      [
        write.service,
        write.action,
        write.orderId,
        write.amount,
        write.idempotencyKey,
        write.reference,
        JSON.stringify(write.answer),
      ],
    )) as { answer: Record<string, unknown> }[];
    if (inserted.length > 0) return inserted[0].answer;
    // A conflict: the first call's row is committed (ON CONFLICT waited for it).
    const [first] = (await this.database.query(
      `SELECT answer FROM ${this.table}
       WHERE service = $1 AND action = $2 AND (idempotency_key = $3 OR reference = $4)
       ORDER BY id LIMIT 1`,
      [write.service, write.action, write.idempotencyKey, write.reference],
    )) as { answer: Record<string, unknown> }[];
    return first.answer;
  }

  async find(
    service: LedgerService,
    action: LedgerAction,
    reference: string,
  ): Promise<LedgerEntry | undefined> {
    const rows = (await this.database.query(
      `SELECT id, service, action, order_id, amount, idempotency_key, reference, at FROM ${this.table}
       WHERE service = $1 AND action = $2 AND reference = $3`,
      [service, action, reference],
    )) as LedgerRow[];
    return rows.length > 0 ? toEntry(rows[0]) : undefined;
  }

  async list(filter: LedgerFilter = {}): Promise<LedgerEntry[]> {
    const rows = (await this.database.query(
      `SELECT id, service, action, order_id, amount, idempotency_key, reference, at FROM ${this.table}
       WHERE ($1::text IS NULL OR order_id = $1) AND id > $2 ORDER BY id LIMIT $3`,
      [filter.orderId ?? null, filter.after ?? 0, filter.limit ?? null],
    )) as LedgerRow[];
    return rows.map(toEntry);
  }
}

function toEntry(row: LedgerRow): LedgerEntry {
  return {
    sequence: Number(row.id),
    service: row.service,
    action: row.action,
    orderId: row.order_id,
    amount: Number(row.amount),
    idempotencyKey: row.idempotency_key,
    reference: row.reference,
    at: row.at,
  };
}
