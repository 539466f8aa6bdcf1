import type { EntityManager } from 'typeorm';
import type { DemoConfig } from '../config/demo-config';
import { ORDER_LIMITS } from '../orders/dto/order-limits';

/** The read model's table in the URL's database (MySQL has no schemas inside a database). */
export function mysqlOrdersTable(config: DemoConfig): string {
  return `\`${config.readModelSchema}_orders\``;
}

/** The fake services' ledger table in the URL's database. */
export function mysqlLedgerTable(config: DemoConfig): string {
  return `\`${config.servicesSchema}_ledger\``;
}

/**
 * Creates the demo's own tables on MySQL/MariaDB, as `createDemoSchema` does on
 * PostgreSQL: the `orders` read model and the fake services' ledger. Idempotent;
 * a named lock keeps two starting instances from racing. Text columns are as
 * long as the API accepts (ORDER_LIMITS), so every accepted order fits.
 */
export async function createMysqlDemoSchema(
  manager: EntityManager,
  config: DemoConfig,
): Promise<void> {
  await manager.query(`SELECT GET_LOCK('cello-demo-schema', 30)`);
  try {
    await manager.query(`
      CREATE TABLE IF NOT EXISTS ${mysqlOrdersTable(config)} (
        id VARCHAR(64) NOT NULL PRIMARY KEY,
        customer_id VARCHAR(${ORDER_LIMITS.customerIdLength}) NOT NULL,
        status VARCHAR(16) NOT NULL,
        items LONGTEXT NOT NULL,
        total DECIMAL(14, 2) NOT NULL,
        tracking_number VARCHAR(${ORDER_LIMITS.trackingNumberLength}) NULL,
        cancel_reason VARCHAR(${ORDER_LIMITS.cancelReasonLength}) NULL,
        fulfillment_saga_id VARCHAR(255) NULL,
        version INT NOT NULL,
        created_at DATETIME(3) NOT NULL,
        created_position BIGINT NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        KEY orders_customer_idx (customer_id, created_position),
        KEY orders_status_idx (status, created_position),
        KEY orders_created_idx (created_position)
      ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`);
    await manager.query(`
      CREATE TABLE IF NOT EXISTS ${mysqlLedgerTable(config)} (
        id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        service VARCHAR(16) NOT NULL,
        action VARCHAR(16) NOT NULL,
        order_id VARCHAR(255) NOT NULL,
        amount DECIMAL(14, 2) NOT NULL,
        idempotency_key VARCHAR(255) NOT NULL,
        reference VARCHAR(255) NOT NULL,
        answer LONGTEXT NOT NULL,
        at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        UNIQUE KEY ledger_key_idx (service, action, idempotency_key),
        UNIQUE KEY ledger_reference_idx (service, action, reference),
        KEY ledger_order_idx (order_id, id)
      ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`);
  } finally {
    await manager.query(`SELECT RELEASE_LOCK('cello-demo-schema')`);
  }
}
