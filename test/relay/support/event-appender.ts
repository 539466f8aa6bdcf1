import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventSourcingModule, EventStore } from '@cello/event-sourcing';
import { ParcelScanned, ParcelWeighed } from './relay-fixtures';

/** An app on the publisher's event store that only appends (its subscribers do not run). */
export async function startAppender(databaseUrl: string): Promise<{
  app: INestApplicationContext;
  /** Appends scans n = from..to of each parcel, one append per event, parcels interleaved. */
  scan(parcels: string[], from: number, to: number): Promise<void>;
}> {
  @Module({
    imports: [
      EventSourcingModule.forRoot({
        storage: databaseUrl,
        events: [ParcelScanned, ParcelWeighed],
        subscriptions: { autoStart: false },
      }),
    ],
  })
  class AppenderModule {}
  const app = await NestFactory.createApplicationContext(AppenderModule, { logger: ['error'] });
  await app.init();
  const store = app.get(EventStore);
  return {
    app,
    scan: async (parcels, from, to) => {
      for (let n = from; n <= to; n++) {
        for (const parcel of parcels) await store.append(new ParcelScanned(parcel, n));
      }
    },
  };
}
