import { Controller, Get, Query } from '@nestjs/common';
import { Ledger } from './ledger';
import { DEFAULT_LEDGER_PAGE, LedgerQueryDto } from './ledger-query.dto';

/** An entry as `GET /demo/ledger` returns it. */
export interface LedgerEntryView {
  sequence: number;
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

  /**
   * `GET /demo/ledger?order_id=&limit=&after=`: one page of entries in the
   * order they were recorded; `next_after` is the cursor of the next page, or
   * null on the last one.
   */
  @Get()
  async list(
    @Query() query: LedgerQueryDto,
  ): Promise<{ entries: LedgerEntryView[]; next_after: number | null }> {
    const limit = query.limit ?? DEFAULT_LEDGER_PAGE;
    // One entry more than the page tells whether another page follows.
    const entries = await this.ledger.list({
      orderId: query.order_id,
      after: query.after,
      limit: limit + 1,
    });
    const page = entries.slice(0, limit);
    return {
      entries: page.map((entry) => ({
        sequence: entry.sequence,
        service: entry.service,
        action: entry.action,
        order_id: entry.orderId,
        amount: entry.amount,
        idempotency_key: entry.idempotencyKey,
        reference: entry.reference,
        at: entry.at.toISOString(),
      })),
      next_after: entries.length > limit ? page[page.length - 1].sequence : null,
    };
  }
}
