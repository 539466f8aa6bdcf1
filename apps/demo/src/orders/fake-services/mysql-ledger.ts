import { Injectable } from '@nestjs/common';
import { DemoConfig } from '../../config/demo-config';
import { DemoDatabase } from '../../database/demo-database';
import { mysqlLedgerTable } from '../../database/mysql-demo-schema';
import { Ledger } from './ledger';
import type {
  LedgerAction,
  LedgerEntry,
  LedgerFilter,
  LedgerService,
  LedgerWrite,
} from './ledger-entry';

interface LedgerRow {
  id: string | number;
  service: LedgerService;
  action: LedgerAction;
  order_id: string;
  amount: string;
  idempotency_key: string;
  reference: string;
  at: Date;
}

const ENTRY_COLUMNS = 'id, service, action, order_id, amount, idempotency_key, reference, at';

/**
 * The ledger in MySQL/MariaDB (`<servicesSchema>_ledger`), as `PostgresLedger`
 * keeps it: one INSERT is the effect and its record at once, and the unique
 * keys turn a repeated call into a read of the first answer.
 */
@Injectable()
export class MysqlLedger extends Ledger {
  private readonly table: string;

  constructor(
    private readonly database: DemoDatabase,
    config: DemoConfig,
  ) {
    super();
    this.table = mysqlLedgerTable(config);
  }

  async record(write: LedgerWrite): Promise<Record<string, unknown>> {
    try {
      // Not INSERT IGNORE: that would also turn a too-long value into a silent truncation.
      await this.database.query(
        `INSERT INTO ${this.table}
           (service, action, order_id, amount, idempotency_key, reference, answer, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          write.service,
          write.action,
          write.orderId,
          write.amount.toFixed(2),
          write.idempotencyKey,
          write.reference,
          JSON.stringify(write.answer),
          new Date(),
        ],
      );
      return write.answer;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    // A repeat: the first call's row is committed (the duplicate-key check waited for it).
    const [first] = await this.database.query<{ answer: string }[]>(
      `SELECT answer FROM ${this.table}
       WHERE service = ? AND action = ? AND (idempotency_key = ? OR reference = ?)
       ORDER BY id LIMIT 1`,
      [write.service, write.action, write.idempotencyKey, write.reference],
    );
    return JSON.parse(first.answer) as Record<string, unknown>;
  }

  async find(
    service: LedgerService,
    action: LedgerAction,
    reference: string,
  ): Promise<LedgerEntry | undefined> {
    const rows = await this.database.query<LedgerRow[]>(
      `SELECT ${ENTRY_COLUMNS} FROM ${this.table}
       WHERE service = ? AND action = ? AND reference = ?`,
      [service, action, reference],
    );
    return rows.length > 0 ? toEntry(rows[0]) : undefined;
  }

  async list(filter: LedgerFilter = {}): Promise<LedgerEntry[]> {
    const where = ['id > ?'];
    const parameters: unknown[] = [filter.after ?? 0];
    if (filter.orderId !== undefined) {
      where.push('order_id = ?');
      parameters.push(filter.orderId);
    }
    const limit = filter.limit === undefined ? '' : `LIMIT ${Math.floor(filter.limit)}`;
    const rows = await this.database.query<LedgerRow[]>(
      `SELECT ${ENTRY_COLUMNS} FROM ${this.table} WHERE ${where.join(' AND ')} ORDER BY id ${limit}`,
      parameters,
    );
    return rows.map(toEntry);
  }
}

/** MySQL's duplicate-key error, as mysql2 reports it (TypeORM copies its fields). */
function isDuplicateKey(error: unknown): boolean {
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown };
  return code === 'ER_DUP_ENTRY' || errno === 1062;
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
