/** Which fake service recorded an entry. */
export type LedgerService = 'inventory' | 'payment' | 'shipping';

/** What a fake service did: an effect or the compensation that undoes it. */
export type LedgerAction = 'reserve' | 'release' | 'charge' | 'refund' | 'ship' | 'cancel';

/** One effect a fake service applied, as `GET /demo/ledger` shows it. */
export interface LedgerEntry {
  /** Order of recording, from 1 up (the table's id); a page's cursor. */
  readonly sequence: number;
  readonly service: LedgerService;
  readonly action: LedgerAction;
  readonly orderId: string;
  /** Units reserved, released, shipped or cancelled; money charged or refunded. */
  readonly amount: number;
  /** The caller's idempotency key: a repeated call with it changed nothing. */
  readonly idempotencyKey: string;
  /** The reservation, payment or shipment the entry is about. */
  readonly reference: string;
  readonly at: Date;
}

/** Which entries `Ledger.list` returns: one page, oldest first. */
export interface LedgerFilter {
  /** Only the entries of this order. */
  readonly orderId?: string;
  /** Only entries recorded after the one with this sequence (the previous page's cursor). */
  readonly after?: number;
  /** At most this many entries. Default: all of them. */
  readonly limit?: number;
}

/** An effect to record, with the answer the service gives for it. */
export interface LedgerWrite {
  readonly service: LedgerService;
  readonly action: LedgerAction;
  readonly orderId: string;
  readonly amount: number;
  readonly idempotencyKey: string;
  readonly reference: string;
  /** The service's answer, returned again to any repeat of the call. */
  readonly answer: Record<string, unknown>;
}
