/**
 * A child process for the MySQL saga crash test: SagaModule with its state in
 * MySQL, the fake services' ledger in PostgreSQL (see `runOrderSagaWorker`).
 * Usage: node -r ./scripts/register-ts.js mysql-saga-worker.ts <mysqlUrl> <pgUrl> <instanceId> start|recover [count]
 */
import { createConnection } from 'mysql2/promise';
import { runOrderSagaWorker } from '../../saga/support/order-saga-worker-main';

const [mysqlUrl, pgUrl, instanceId, mode, count = '0'] = process.argv.slice(2);

runOrderSagaWorker({
  storage: mysqlUrl,
  ledgerUrl: pgUrl,
  instanceId,
  mode,
  count,
  openCounter: async () => {
    const connection = await createConnection({ uri: mysqlUrl });
    return {
      count: async () => {
        const [rows] = await connection.query(
          "SELECT COUNT(*) AS n FROM cello_saga_instances WHERE status IN ('running', 'compensating')",
        );
        return Number((rows as { n: string }[])[0].n);
      },
      close: () => connection.end(),
    };
  },
});
