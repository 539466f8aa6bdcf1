import { DynamicModule, Module } from '@nestjs/common';
import { EventSourcingModule } from '@cello/event-sourcing';
import { DemoConfig } from '../config/demo-config';
import { CancelOrderHandler } from './commands/cancel-order.handler';
import { CreateOrderHandler } from './commands/create-order.handler';
import { LinkOrderFulfillmentHandler } from './commands/link-order-fulfillment.handler';
import { ShipOrderHandler } from './commands/ship-order.handler';
import { SnapshotOrderHandler } from './commands/snapshot-order.handler';
import { FakeServicesModule } from './fake-services/fake-services.module';
import { Order } from './order.aggregate';
import { OrderRepository } from './order-repository';
import { OrdersController } from './orders.controller';
import { MemoryOrderReadModel } from './projections/memory-order-read-model';
import { MysqlOrderReadModel } from './projections/mysql-order-read-model';
import { OrderReadModel } from './projections/order-read-model';
import { OrdersProjection } from './projections/orders.projection';
import { PostgresOrderReadModel } from './projections/postgres-order-read-model';
import { GetOrderHandler } from './queries/get-order.handler';
import { ListOrdersHandler } from './queries/list-orders.handler';
import { OrderFulfillmentService } from './sagas/order-fulfillment.service';
import { OrderSaga } from './sagas/order.saga';

/** The order system: aggregate, commands, queries, read model, saga and fake services. */
@Module({})
export class OrdersModule {
  static forRoot(config: DemoConfig): DynamicModule {
    return {
      module: OrdersModule,
      imports: [
        EventSourcingModule.forFeature({ aggregates: [Order] }),
        FakeServicesModule.forRoot(config),
      ],
      controllers: [OrdersController],
      providers: [
        {
          provide: OrderReadModel,
          useClass: config.usesPostgres
            ? PostgresOrderReadModel
            : config.usesMysql
              ? MysqlOrderReadModel
              : MemoryOrderReadModel,
        },
        OrdersProjection,
        OrderRepository,
        CreateOrderHandler,
        ShipOrderHandler,
        CancelOrderHandler,
        SnapshotOrderHandler,
        LinkOrderFulfillmentHandler,
        GetOrderHandler,
        ListOrdersHandler,
        OrderSaga,
        OrderFulfillmentService,
      ],
    };
  }
}
