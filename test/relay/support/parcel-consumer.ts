import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { PoolClient } from 'pg';
import {
  IntegrationEventHandler,
  RelayConsumerModule,
  type IntegrationEvent,
  type RelayConsumerModuleOptions,
} from '@cello/relay';

/** The consumer's own effect of each event, written in the handler's transaction. */
export const EFFECTS_TABLE = `CREATE TABLE IF NOT EXISTS parcel_effects (
  seq bigserial PRIMARY KEY,
  event_id text NOT NULL,
  stream_id text NOT NULL,
  version integer NOT NULL,
  n integer NOT NULL
)`;

/** Records every ParcelScanned it handles; fails on purpose for parcels named in `failing`. */
@Injectable()
export class ParcelEffects {
  static failing = new Set<string>();

  @IntegrationEventHandler('ParcelScanned')
  async onScanned(event: IntegrationEvent<{ parcel: string; n: number }>, tx: PoolClient) {
    if (ParcelEffects.failing.has(event.data.parcel)) {
      throw new Error(`parcel ${event.data.parcel} cannot be handled`);
    }
    await tx.query(
      'INSERT INTO parcel_effects (event_id, stream_id, version, n) VALUES ($1, $2, $3, $4)',
      [event.id, event.streamId, event.version, event.data.n],
    );
  }
}

/** A consuming service: RelayConsumerModule and ParcelEffects, in this process. */
export async function startParcelConsumer(
  options: RelayConsumerModuleOptions,
): Promise<INestApplicationContext> {
  @Module({ imports: [RelayConsumerModule.forRoot(options)], providers: [ParcelEffects] })
  class ParcelConsumerModule {}
  const app = await NestFactory.createApplicationContext(ParcelConsumerModule, {
    logger: ['error'],
  });
  await app.init();
  return app;
}
