import { DynamicModule, Module } from '@nestjs/common';
import { DemoConfig } from '../../config/demo-config';
import { FaultInjector } from './fault-injector';
import { InventoryService } from './inventory.service';
import { Ledger } from './ledger';
import { LedgerController } from './ledger.controller';
import { MemoryLedger } from './memory-ledger';
import { MysqlLedger } from './mysql-ledger';
import { PaymentService } from './payment.service';
import { PostgresLedger } from './postgres-ledger';
import { ShippingService } from './shipping.service';

/** The in-process inventory, payment and shipping services the `OrderSaga` calls, and their ledger. */
@Module({})
export class FakeServicesModule {
  static forRoot(config: DemoConfig): DynamicModule {
    return {
      module: FakeServicesModule,
      controllers: [LedgerController],
      providers: [
        {
          provide: Ledger,
          useClass: config.usesPostgres
            ? PostgresLedger
            : config.usesMysql
              ? MysqlLedger
              : MemoryLedger,
        },
        FaultInjector,
        InventoryService,
        PaymentService,
        ShippingService,
      ],
      exports: [Ledger, FaultInjector, InventoryService, PaymentService, ShippingService],
    };
  }
}
