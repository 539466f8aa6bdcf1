import type { Client } from 'pg';

/** What the consumer's database says about the relayed ParcelScanned events. */
export interface DeliveryReport {
  /** Effects written by the handler (one per handled event). */
  readonly handled: number;
  /** Event ids handled more than once. */
  readonly duplicated: string[];
  /** Streams whose effects are not versions 1..n in that order. */
  readonly outOfOrder: string[];
  /** Rows in the inbox. */
  readonly inbox: number;
}

/** Reads the consumer's effects and inbox: every event once, in stream order? */
export async function deliveryReport(client: Client): Promise<DeliveryReport> {
  const { rows } = await client.query<{ event_id: string; stream_id: string; version: number }>(
    'SELECT event_id, stream_id, version FROM parcel_effects ORDER BY seq',
  );
  const seen = new Map<string, number>();
  const versions = new Map<string, number[]>();
  for (const row of rows) {
    seen.set(row.event_id, (seen.get(row.event_id) ?? 0) + 1);
    versions.set(row.stream_id, [...(versions.get(row.stream_id) ?? []), row.version]);
  }
  const outOfOrder = [...versions].filter(([, list]) => list.some((v, i) => v !== i + 1));
  const { rows: inbox } = await client.query<{ count: string }>('SELECT count(*) FROM cello_inbox');
  return {
    handled: rows.length,
    duplicated: [...seen].filter(([, count]) => count > 1).map(([id]) => id),
    outOfOrder: outOfOrder.map(([stream, list]) => `${stream}: ${list.join(',')}`),
    inbox: Number(inbox[0].count),
  };
}
