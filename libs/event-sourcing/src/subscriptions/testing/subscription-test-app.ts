import { createHash } from 'node:crypto';
import type { Provider } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { EventSourcingModuleOptions } from '../../event-sourcing-module-options';
import { EventSourcingModule } from '../../event-sourcing.module';

/** A short table prefix derived from `key`: apps with the same key share tables, others do not. */
export function tablePrefixFor(key: string): string {
  return `s${createHash('sha1').update(key).digest('hex').slice(0, 10)}_`;
}

/** Boots a silent Nest test app with `EventSourcingModule.forRoot(options)` and `providers`. */
export async function bootSubscriptionApp(
  options: EventSourcingModuleOptions,
  providers: Provider[],
): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    imports: [EventSourcingModule.forRoot(options)],
    providers,
  }).compile();
  app.useLogger(false);
  await app.init();
  return app;
}

/** Polls `probe` every 20 ms until it returns a truthy value (bounded by the test's timeout). */
export async function pollUntil<T>(probe: () => Promise<T | undefined | false>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
