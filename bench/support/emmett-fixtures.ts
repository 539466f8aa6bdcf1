import type { Event } from '@event-driven-io/emmett';
import type { PostgresEventStore } from '@event-driven-io/emmett-postgresql';
import { orderPlacedData, type OrderPlacedData } from './order-placed';

/** The benchmark's event in emmett's shape. */
export type EmmettOrderPlaced = Event<'OrderPlaced', OrderPlacedData>;

/** The `i`-th OrderPlaced of stream `orderId`, for emmett. */
export function emmettOrderPlaced(orderId: string, i = 0): EmmettOrderPlaced {
  return { type: 'OrderPlaced', data: orderPlacedData(orderId, i) };
}

/** emmett-postgresql's store on `url`, schema created before timing starts. */
export async function emmettPostgres(url: string): Promise<PostgresEventStore> {
  const { getPostgreSQLEventStore } = await import('@event-driven-io/emmett-postgresql');
  const store = getPostgreSQLEventStore(url);
  await store.schema.migrate();
  return store;
}

/** The fold every rebuild does: orders and units, like Cello's `OrderBook`. */
export const orderBookEvolve = (
  state: { orders: number; units: number },
  event: EmmettOrderPlaced,
): { orders: number; units: number } => {
  let units = state.units;
  for (const item of event.data.items) units += item.quantity;
  return { orders: state.orders + 1, units };
};
