import { Module } from '@nestjs/common';
import type { CanActivate, DynamicModule, Provider, Type } from '@nestjs/common';
import { DEVTOOLS_APP_GUARD, DevtoolsAppGuard } from './access/devtools-app-guard';
import { DevtoolsEnabledGuard } from './access/devtools-enabled.guard';
import { DevtoolsSameOriginGuard } from './access/devtools-same-origin.guard';
import { DEVTOOLS_OPTIONS } from './devtools-module-options';
import type { DevtoolsModuleOptions } from './devtools-module-options';
import { InvalidDevtoolsOptionsError } from './errors/invalid-devtools-options.error';
import { EventBrowser } from './events/event-browser';
import { EventsBrowserController } from './events/events-browser.controller';
import { DevtoolsRedactor } from './redaction/devtools-redactor';
import { SagaDashboardController } from './sagas/saga-dashboard.controller';
import { SubscriptionsOverview } from './subscriptions/subscriptions-overview';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';

/**
 * The developer pages: an event browser at `/events` and a saga dashboard at
 * `/sagas`, over JSON endpoints under `/events/api` and `/sagas/api`. They use
 * whichever of `EventSourcingModule` and `SagaModule` the app imports. Off
 * unless the app opts in (`enabled: true`, or `NODE_ENV=development`).
 */
@Module({})
export class DevtoolsModule {
  /** The `/events` and `/sagas` pages; off unless `enabled` (or `NODE_ENV=development`). */
  static forRoot(options: DevtoolsModuleOptions = {}): DynamicModule {
    checkOptions(options);
    return {
      module: DevtoolsModule,
      imports: options.imports ?? [],
      controllers: [EventsBrowserController, SubscriptionsController, SagaDashboardController],
      providers: [
        { provide: DEVTOOLS_OPTIONS, useValue: options },
        appGuardProvider(options.guard),
        DevtoolsEnabledGuard,
        DevtoolsAppGuard,
        DevtoolsSameOriginGuard,
        DevtoolsRedactor,
        EventBrowser,
        SubscriptionsOverview,
      ],
    };
  }
}

function appGuardProvider(guard: DevtoolsModuleOptions['guard']): Provider {
  if (guard === undefined) return { provide: DEVTOOLS_APP_GUARD, useValue: null };
  if (typeof guard === 'function') {
    return { provide: DEVTOOLS_APP_GUARD, useClass: guard as Type<CanActivate> };
  }
  return { provide: DEVTOOLS_APP_GUARD, useValue: guard };
}

function checkOptions(options: DevtoolsModuleOptions): void {
  if (options.enabled !== undefined && typeof options.enabled !== 'boolean') {
    throw new InvalidDevtoolsOptionsError(
      'enabled',
      `must be true or false, got ${String(options.enabled)}.`,
    );
  }
  const guard = options.guard as unknown;
  if (guard !== undefined) {
    const target =
      typeof guard === 'function' ? (guard as { prototype?: unknown }).prototype : guard;
    if (typeof (target as { canActivate?: unknown } | null)?.canActivate !== 'function') {
      throw new InvalidDevtoolsOptionsError(
        'guard',
        'must be a Nest guard: a class implementing CanActivate, or an instance of one.',
      );
    }
  }
  if (options.redact !== undefined && typeof options.redact !== 'function') {
    throw new InvalidDevtoolsOptionsError(
      'redact',
      'must be a function (value, { kind, type }) => value to show.',
    );
  }
  const maxScan = options.maxScan;
  if (maxScan !== undefined && !(Number.isSafeInteger(maxScan) && maxScan >= 1)) {
    throw new InvalidDevtoolsOptionsError(
      'maxScan',
      `must be a whole number >= 1, got ${String(maxScan)}.`,
    );
  }
}
