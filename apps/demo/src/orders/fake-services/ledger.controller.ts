import { Controller, Get, Query } from '@nestjs/common';
import { Ledger } from './ledger';
import { LedgerQueryDto } from './ledger-query.dto';

/** An entry as `GET /demo/ledger` returns it. */
export interface LedgerEntryView {
  service: string;
  action: string;
  order_id: string;
  amount: number;
  idempotency_key: string;
  reference: string;
  at: string;
}

/** Shows what the fake services did, so compensation can be checked from outside. */
@Controller('demo/ledger')
export class LedgerController {
  constructor(private readonly ledger: Ledger) {}

  /** `GET /demo/ledger?order_id=`: entries in the order they were recorded. */
  @Get()
  async list(@Query() query: LedgerQueryDto): Promise<{ entries: LedgerEntryView[] }> {
    const entries = await this.ledger.list(query.order_id);
    return {
      entries: entries.map((entry) => ({
        service: entry.service,
        action: entry.action,
        order_id: entry.orderId,
        amount: entry.amount,
        idempotency_key: entry.idempotencyKey,
        reference: entry.reference,
        at: entry.at.toISOString(),
      })),
    };
  }
}
