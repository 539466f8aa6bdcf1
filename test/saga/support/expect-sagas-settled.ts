import type { Client } from 'pg';

const FORWARD = ['reserve_inventory', 'charge_payment', 'create_shipment'];
const COMPENSATED = ['reserve_inventory', 'charge_payment', 'refund_payment', 'release_inventory'];

/**
 * Every saga is terminal, and the fake services' ledger shows each effect
 * and compensation exactly once: all three effects for a completed order,
 * the two effects then their compensations in reverse for a refused one.
 */
export async function expectSagasSettled(client: Client, expectedCount: number): Promise<void> {
  const sagas = (
    await client.query<{ id: string; status: string; context: { refuse?: string } }>(
      'SELECT id, status, context FROM cello_saga_instances',
    )
  ).rows;
  expect(sagas).toHaveLength(expectedCount);
  for (const saga of sagas) {
    const ledger = (
      await client.query<{ effect: string }>(
        'SELECT effect FROM fake_ledger WHERE saga_id = $1 ORDER BY created_at',
        [saga.id],
      )
    ).rows.map((r) => r.effect);
    const expected = saga.context.refuse
      ? { status: 'compensated', ledger: COMPENSATED }
      : { status: 'completed', ledger: FORWARD };
    expect({ id: saga.id, status: saga.status, ledger }).toEqual({ id: saga.id, ...expected });
  }
}

/** Number of idempotency keys that were called more than once (retried after a crash). */
export async function repeatedCalls(client: Client): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT idempotency_key FROM fake_calls
     GROUP BY idempotency_key HAVING count(*) > 1) repeated`,
  );
  return rows[0].n;
}
