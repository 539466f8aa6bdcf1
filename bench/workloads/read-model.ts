/** The read-model table every projection subject fills (one row per OrderPlaced). */
export const READ_MODEL_DDL = `CREATE TABLE placed_orders (
  position bigint PRIMARY KEY, order_id text NOT NULL, customer_id text NOT NULL,
  units integer NOT NULL, total numeric NOT NULL)`;
