import { createHash } from 'node:crypto';
import type { Provider } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { EventSourcingModuleOptions } from '@cello/event-sourcing/event-sourcing-module-options';
import { EventSourcingModule } from '@cello/event-sourcing/event-sourcing.module';

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

/** How the scenario suites open one app's storage on a backend. */
export interface SubscriptionTestBackend {
  /** Module options (storage and tables) for one app; `key` is the same for apps that share data. */
  options(key: string): EventSourcingModuleOptions;
  /** True when apps booted with the same key share data (restart and multi-instance cases). */
  readonly durable: boolean;
}

/**
 * Boots apps on `backend` for the tests of one describe block, with
 * `subscriptionDefaults` under each test's own subscription options, and
 * closes whatever a test left open after it.
 */
export function useSubscriptionApps(
  backend: SubscriptionTestBackend,
  subscriptionDefaults: NonNullable<EventSourcingModuleOptions['subscriptions']>,
) {
  const apps: TestingModule[] = [];

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  /** Boots an app; apps booted with the same `key` share data on durable backends. */
  async function boot(
    key: string,
    providers: Provider[],
    extra: Partial<EventSourcingModuleOptions> = {},
  ): Promise<TestingModule> {
    const app = await bootSubscriptionApp(
      {
        ...backend.options(key),
        ...extra,
        subscriptions: { ...subscriptionDefaults, ...extra.subscriptions },
      },
      providers,
    );
    apps.push(app);
    return app;
  }

  /** Closes an app in the middle of a test (a restart, an instance going away). */
  async function close(app: TestingModule): Promise<void> {
    apps.splice(apps.indexOf(app), 1);
    await app.close();
  }

  return { boot, close };
}
