/**
 * A child process for crash tests: SagaModule and the fake services' ledger on the
 * test database (see `runOrderSagaWorker`).
 * Usage: node -r ./scripts/register-ts.js order-saga-worker.ts <url> <instanceId> start|recover [count] [leaseTtlSeconds]
 */
import { Pool } from 'pg';
import { runOrderSagaWorker } from './order-saga-worker-main';

const [url, instanceId, mode, count = '0', leaseTtl] = process.argv.slice(2);

runOrderSagaWorker({
  storage: url,
  ledgerUrl: url,
  instanceId,
  mode,
  count,
  leaseTtl: leaseTtl === undefined ? undefined : Number(leaseTtl),
  openCounter: async () => {
    const pool = new Pool({ connectionString: url, max: 1 });
    return {
      count: async () => {
        const { rows } = await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM cello_saga_instances WHERE status IN ('running', 'compensating')`,
        );
        return rows[0].n;
      },
      close: () => pool.end(),
    };
  },
});
