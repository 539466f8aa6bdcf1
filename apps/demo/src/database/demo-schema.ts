import type { EntityManager } from 'typeorm';
import type { DemoConfig } from '../config/demo-config';

/**
 * Creates the demo's own tables: the `orders` read model in its own schema,
 * and the fake services' ledger. Idempotent, so every instance runs it at its
 * first connection; a transaction lock keeps two starting instances from racing.
 */
export async function createDemoSchema(manager: EntityManager, config: DemoConfig): Promise<void> {
  const read = `"${config.readModelSchema}"`;
  const services = `"${config.servicesSchema}"`;
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext('cello-demo-schema'))`);
  await manager.query(`CREATE SCHEMA IF NOT EXISTS ${read}`);
  await manager.query(`CREATE SCHEMA IF NOT EXISTS ${services}`);
  await manager.query(`
      CREATE TABLE IF NOT EXISTS ${read}.orders (
        id text PRIMARY KEY,
        customer_id text NOT NULL,
        status text NOT NULL,
        items jsonb NOT NULL,
        total numeric(14, 2) NOT NULL,
        tracking_number text,
        cancel_reason text,
        fulfillment_saga_id text,
        version integer NOT NULL,
        created_at timestamptz NOT NULL,
        created_position bigint NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
  // The list is newest first, filtered by customer, by status, or not at all.
  for (const [name, columns] of [
    ['orders_customer_idx', 'customer_id, created_position DESC'],
    ['orders_status_idx', 'status, created_position DESC'],
    ['orders_created_idx', 'created_position DESC'],
  ]) {
    await manager.query(`CREATE INDEX IF NOT EXISTS ${name} ON ${read}.orders (${columns})`);
  }
  await manager.query(`
      CREATE TABLE IF NOT EXISTS ${services}.ledger (
        id bigserial PRIMARY KEY,
        service text NOT NULL,
        action text NOT NULL,
        order_id text NOT NULL,
        amount numeric(14, 2) NOT NULL,
        idempotency_key text NOT NULL,
        reference text NOT NULL,
        answer jsonb NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (service, action, idempotency_key),
        UNIQUE (service, action, reference)
      )`);
  await manager.query(
    `CREATE INDEX IF NOT EXISTS ledger_order_idx ON ${services}.ledger (order_id, id)`,
  );
}
