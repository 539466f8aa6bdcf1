import type { Client } from 'pg';
import type { DemoProcess } from './demo-process';

type State = Record<string, unknown> & { steps: unknown[] };

/**
 * Ways a stored saga state can be corrupt (a hand edit, an older version, a
 * bad migration), made from a healthy OrderSaga state. The first made the
 * Rust state machine index out of bounds: the panic crossed napi and Node
 * aborted (exit 134), on every instance that claimed the row.
 */
const CORRUPTIONS: Record<string, (state: State) => unknown> = {
  'step-out-of-range': (state) => ({
    ...state,
    status: 'running',
    inFlight: { type: 'run_step', index: 99, attempt: 1, delayMs: 0 },
  }),
  'extra-steps': (state) => ({ ...state, steps: [...state.steps, ...state.steps] }),
  'failed-step-out-of-range': (state) => ({ ...state, failedStep: 1_000_000 }),
  'not-a-state': () => 'not a state',
};

/** The kinds of corruption {@link insertCorruptSagaRows} writes, one row each. */
export const CORRUPTION_KINDS = Object.keys(CORRUPTIONS);

/**
 * Inserts one corrupt OrderSaga row of each kind, unfinished and with its
 * lease lapsed (as an instance that died would leave it), so the next
 * recovery scan of any instance claims it. Copies the state of a saga the
 * demo stored; returns the new rows' ids.
 */
export async function insertCorruptSagaRows(client: Client, prefix: string): Promise<string[]> {
  const { rows } = await client.query<{ state: State }>(
    `SELECT state FROM cello_saga_instances
     WHERE saga_name = 'OrderSaga' AND jsonb_typeof(state) = 'object' AND status <> 'corrupt'
     LIMIT 1`,
  );
  if (!rows[0]) throw new Error('no OrderSaga state to copy yet');
  const ids: string[] = [];
  for (const [kind, corrupt] of Object.entries(CORRUPTIONS)) {
    const id = `${prefix}-${kind}`;
    await client.query(
      `INSERT INTO cello_saga_instances
         (id, saga_name, status, state, context, lease_owner, lease_expires_at, fencing_token)
       VALUES ($1, 'OrderSaga', 'running', $2::jsonb, '{}', 'dead-instance',
               now() - interval '1 minute', 1)`,
      [id, JSON.stringify(corrupt(rows[0].state))],
    );
    ids.push(id);
  }
  return ids;
}

/** Status and fencing token (how often it was claimed, plus one) of each row. */
export async function sagaRows(
  client: Client,
  ids: readonly string[],
): Promise<Map<string, { status: string; fencingToken: number }>> {
  const { rows } = await client.query<{ id: string; status: string; fencing_token: string }>(
    'SELECT id, status, fencing_token::text FROM cello_saga_instances WHERE id = ANY($1)',
    [ids],
  );
  return new Map(
    rows.map((row) => [row.id, { status: row.status, fencingToken: Number(row.fencing_token) }]),
  );
}

/** Per saga id: how many times the instances logged its quarantine (stdout and stderr). */
export function quarantineLogCounts(demos: readonly DemoProcess[]): Map<string, number> {
  const counts = new Map<string, number>();
  const pattern = /Saga (\S+) \(OrderSaga\) cannot be driven/;
  for (const demo of demos) {
    for (const line of [...demo.lines, ...demo.stderr().split('\n')]) {
      const id = pattern.exec(line)?.[1];
      if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

/** Why an instance is not running any more, or undefined while it runs. */
export function deathOf(demo: DemoProcess): string | undefined {
  const { exitCode, signalCode } = demo.child;
  if (exitCode === null && signalCode === null) return undefined;
  const panic = /panicked at[^\n]*/.exec(demo.stderr());
  return `instance ${demo.pid} exited (${exitCode ?? signalCode})${panic ? `: ${panic[0]}` : ''}`;
}
