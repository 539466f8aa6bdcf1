// The seed's CQRS example (CreateOrder, CancelOrder, GetOrder, ListOrders) in
// TypeScript, for tests: the write side is the event store, the read side a
// TypeORM DataSource named 'read' on another database, kept in sync by a projection.
import { randomUUID } from 'node:crypto';
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import {
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  Min,
} from 'class-validator';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import {
  Aggregate,
  AggregateRoot,
  Event,
  EventHandler,
  EventStore,
  EventSubscriber,
  EventType,
  type SubscriptionEnvelope,
} from '@cello/event-sourcing';
import { Command } from '@cello/cqrs/message/command';
import { Query } from '@cello/cqrs/message/query';
import { CommandHandler } from '@cello/cqrs/decorators/command-handler.decorator';
import { QueryHandler } from '@cello/cqrs/decorators/query-handler.decorator';
import type { ICommandHandler, IQueryHandler } from '@cello/cqrs/handlers/message-handler';
import { withPosition, type CommandResult } from '@cello/cqrs/sync/command-result';

/** Name of the read-model DataSource: `TypeOrmModule.forRoot({ name: READ_MODEL, ... })`. */
export const READ_MODEL = 'read';

export interface OrderItem {
  sku: string;
  quantity: number;
}

// ---- events and aggregate (write model) --------------------------------------------------

@EventType('cqrs-example.OrderCreated')
export class OrderCreated extends Event {
  constructor(
    readonly orderId: string,
    readonly customerId: string,
    readonly items: OrderItem[],
  ) {
    super();
  }
}

@EventType('cqrs-example.OrderCancelled')
export class OrderCancelled extends Event {
  constructor(
    readonly orderId: string,
    readonly reason: string,
  ) {
    super();
  }
}

/** A domain rule: a cancelled order cannot be cancelled again. */
export class OrderAlreadyCancelledError extends Error {}

@AggregateRoot({ type: 'CqrsExampleOrder' })
export class Order extends Aggregate {
  customerId = '';
  status: 'created' | 'cancelled' = 'created';
  items: OrderItem[] = [];

  static create(customerId: string, items: OrderItem[]): Order {
    const order = new Order();
    order.apply(new OrderCreated(randomUUID(), customerId, items));
    return order;
  }

  cancel(reason: string): void {
    if (this.status === 'cancelled') {
      throw new OrderAlreadyCancelledError(`Order ${this.id} is already cancelled`);
    }
    this.apply(new OrderCancelled(this.id, reason));
  }

  @EventHandler(OrderCreated)
  onCreated(event: OrderCreated): void {
    this.id = event.orderId;
    this.customerId = event.customerId;
    this.items = event.items;
    this.status = 'created';
  }

  @EventHandler(OrderCancelled)
  onCancelled(): void {
    this.status = 'cancelled';
  }
}

// ---- read model ----------------------------------------------------------------------------

@Entity('order_views')
export class OrderViewEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text', { name: 'customer_id' }) customerId!: string;
  @Column('text') status!: 'created' | 'cancelled';
  @Column('jsonb') items!: OrderItem[];
  @Column('text', { name: 'cancel_reason', nullable: true }) cancelReason!: string | null;
  /** Global position of the order's creation: lists keep creation order. */
  @Column('bigint', { name: 'created_position' }) createdPosition!: string;
  /** Global position of the last event applied to the row: makes redelivery harmless. */
  @Column('bigint', { name: 'last_position' }) lastPosition!: string;
}

/** What GetOrder and ListOrders return. */
export interface OrderView {
  readonly id: string;
  readonly customerId: string;
  readonly status: 'created' | 'cancelled';
  readonly items: OrderItem[];
  readonly cancelReason: string | null;
}

function toView(row: OrderViewEntity): OrderView {
  return {
    id: row.id,
    customerId: row.customerId,
    status: row.status,
    items: row.items,
    cancelReason: row.cancelReason,
  };
}

/**
 * The projection: an event-sourcing subscriber that keeps `order_views` (read
 * database) in step with the log. Delivery is at least once, so each write is
 * guarded by the event's position.
 */
@Injectable()
@EventSubscriber({ name: 'cqrs-example-orders' })
export class OrderViewsProjection {
  /** Events applied, for tests that check catch-up does not replay everything. */
  static applied = 0;

  constructor(@InjectDataSource(READ_MODEL) private readonly read: DataSource) {}

  @EventHandler(OrderCreated)
  async onCreated(event: OrderCreated, envelope: SubscriptionEnvelope): Promise<void> {
    await this.read.query(
      `INSERT INTO order_views (id, customer_id, status, items, cancel_reason, created_position, last_position)
       VALUES ($1, $2, 'created', $3::jsonb, NULL, $4, $4) ON CONFLICT (id) DO NOTHING`,
      [event.orderId, event.customerId, JSON.stringify(event.items), envelope.position],
    );
    OrderViewsProjection.applied += 1;
  }

  @EventHandler(OrderCancelled)
  async onCancelled(event: OrderCancelled, envelope: SubscriptionEnvelope): Promise<void> {
    await this.read.query(
      `UPDATE order_views SET status = 'cancelled', cancel_reason = $2, last_position = $3
        WHERE id = $1 AND last_position < $3`,
      [event.orderId, event.reason, envelope.position],
    );
    OrderViewsProjection.applied += 1;
  }

  /** Rebuild from scratch: empty the table, the log refills it. */
  async onSubscriberReset(position: number): Promise<void> {
    if (position === 0) await this.read.query('TRUNCATE order_views');
  }
}

// ---- commands and queries ------------------------------------------------------------------

export class CreateOrderCommand extends Command<CommandResult<string>> {
  @IsString()
  @IsNotEmpty()
  readonly customerId: string;

  @IsArray()
  @ArrayNotEmpty()
  readonly items: OrderItem[];

  constructor(customerId: string, items: OrderItem[]) {
    super();
    this.customerId = customerId;
    this.items = items;
  }
}

export class CancelOrderCommand extends Command<CommandResult<boolean>> {
  @IsString() @IsNotEmpty() readonly orderId: string;
  @IsString() @IsNotEmpty() readonly reason: string;

  constructor(orderId: string, reason: string) {
    super();
    this.orderId = orderId;
    this.reason = reason;
  }
}

export class GetOrderQuery extends Query<OrderView | null> {
  @IsString() @IsNotEmpty() readonly orderId: string;

  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}

export class ListOrdersQuery extends Query<OrderView[]> {
  @IsString() @IsNotEmpty() readonly customerId: string;

  @IsOptional()
  @IsIn(['created', 'cancelled'])
  readonly status?: 'created' | 'cancelled';

  @IsInt() @Min(1) @Max(500) readonly limit: number;

  constructor(customerId: string, status?: 'created' | 'cancelled', limit = 50) {
    super();
    this.customerId = customerId;
    this.status = status;
    this.limit = limit;
  }
}

// ---- handlers: commands use the write side, queries the read side ------------------------------

@CommandHandler(CreateOrderCommand)
export class CreateOrderHandler implements ICommandHandler<CreateOrderCommand> {
  constructor(private readonly events: EventStore) {}

  async execute(command: CreateOrderCommand): Promise<CommandResult<string>> {
    const order = Order.create(command.customerId, command.items);
    return withPosition(order.id, await this.events.save(order));
  }
}

@CommandHandler(CancelOrderCommand)
export class CancelOrderHandler implements ICommandHandler<CancelOrderCommand> {
  constructor(private readonly events: EventStore) {}

  async execute(command: CancelOrderCommand): Promise<CommandResult<boolean>> {
    const order = await this.events.load(Order, command.orderId);
    order.cancel(command.reason);
    return withPosition(true, await this.events.save(order));
  }
}

@QueryHandler(GetOrderQuery)
export class GetOrderHandler implements IQueryHandler<GetOrderQuery> {
  constructor(@InjectDataSource(READ_MODEL) private readonly read: DataSource) {}

  async execute(query: GetOrderQuery): Promise<OrderView | null> {
    const row = await this.read.getRepository(OrderViewEntity).findOneBy({ id: query.orderId });
    return row === null ? null : toView(row);
  }
}

@QueryHandler(ListOrdersQuery)
export class ListOrdersHandler implements IQueryHandler<ListOrdersQuery> {
  constructor(@InjectDataSource(READ_MODEL) private readonly read: DataSource) {}

  async execute(query: ListOrdersQuery): Promise<OrderView[]> {
    const rows = await this.read.getRepository(OrderViewEntity).find({
      where: { customerId: query.customerId, ...(query.status ? { status: query.status } : {}) },
      order: { createdPosition: 'ASC' },
      take: query.limit,
    });
    return rows.map(toView);
  }
}

/** The orders feature: its handlers and projection, with the read DataSource on `readUrl`. */
@Module({})
export class OrdersExampleModule {
  static forReadModel(readUrl: string): DynamicModule {
    return {
      module: OrdersExampleModule,
      imports: [
        TypeOrmModule.forRoot({
          name: READ_MODEL,
          type: 'postgres',
          url: readUrl,
          entities: [OrderViewEntity],
          // A read model is disposable (rebuilt from events), so the test lets TypeORM create it.
          synchronize: true,
          retryAttempts: 1,
        }),
      ],
      providers: [
        OrderViewsProjection,
        CreateOrderHandler,
        CancelOrderHandler,
        GetOrderHandler,
        ListOrdersHandler,
      ],
    };
  }
}
