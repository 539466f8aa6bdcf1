import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { RelayConsumerModule } from '@cello/relay';
import { Pool } from 'pg';
import { NotificationsController } from './notifications.controller';
import { NotificationsPool } from './notifications-pool';
import type { NotifierConfig } from './notifier-config';
import { ShipmentNotifier } from './shipment-notifier.handler';

/** The notifier: the demo's OrderShipped events, from JetStream, each notified once. */
@Module({})
export class NotifierModule implements OnModuleInit {
  constructor(private readonly notifications: NotificationsPool) {}

  static forRoot(config: NotifierConfig): DynamicModule {
    const pool = new Pool({ connectionString: config.databaseUrl, max: 4 });
    return {
      module: NotifierModule,
      imports: [
        RelayConsumerModule.forRoot({
          servers: config.natsUrl,
          stream: config.stream,
          filterSubject: `${config.subjectPrefix}.OrderShipped`,
          durableName: 'notifier',
          database: pool,
          tablePrefix: 'notifier_',
        }),
      ],
      controllers: [NotificationsController],
      providers: [
        { provide: NotificationsPool, useValue: new NotificationsPool(pool) },
        ShipmentNotifier,
      ],
    };
  }

  async onModuleInit(): Promise<void> {
    await this.notifications.createSchema();
  }
}
