// Every public option is documented where a user looks for it, and every documented option is
// accepted there: each option type's README table lists exactly the type's fields, each optional
// field's TSDoc gives its default, and the modules boot with every one of their options given.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { CelloMetricsModule, type CelloMetricsOptions } from '@cello/core';
import { CqrsModule, type CqrsModuleOptions } from '@cello/cqrs';
import { DevtoolsModule, type DevtoolsModuleOptions } from '@cello/devtools';
import {
  EventSourcingModule,
  MemoryEventStorage,
  SubscriptionManager,
  type EventSourcingModuleOptions,
  type SubscriptionOptions,
} from '@cello/event-sourcing';
import { SagaModule, type SagaModuleOptions } from '@cello/saga';
import { OPTION_INTERFACES, readOptionFields, readOptionsTable } from './option-interfaces';

const repoRoot = path.resolve(__dirname, '../..');
const fields = readOptionFields(repoRoot, OPTION_INTERFACES);

describe('the documented options', () => {
  it.each(OPTION_INTERFACES.map((o) => [o.name, o.readme] as const))(
    'the %s table of %s lists exactly its fields',
    (name, readme) => {
      const table = readOptionsTable(readFileSync(path.join(repoRoot, readme), 'utf8'), name);
      expect(table).toBeDefined();
      expect([...table!].sort()).toEqual(
        fields
          .get(name)!
          .map((f) => f.name)
          .sort(),
      );
    },
  );

  it.each(OPTION_INTERFACES.map((o) => [o.name] as const))(
    'each field of %s has TSDoc with its default',
    (name) => {
      const undocumented = fields
        .get(name)!
        .filter(
          (field) => field.doc.trim() === '' || (field.optional && !/default/i.test(field.doc)),
        )
        .map((field) => field.name);
      expect(undocumented).toEqual([]);
    },
  );

  it('covers the options the issue found undocumented', () => {
    const documented = new Set([...fields.values()].flat().map((f) => f.name));
    for (const name of [
      'enableReplay',
      'statementTimeoutMs',
      'maxEventBytes',
      'maxBatchSize',
      'readPageSize',
      'leaseTtlMs',
      'autoStart',
      'snapshotSchemaVersion',
      'poolSize',
      'maxScan',
    ]) {
      expect({ name, documented: documented.has(name) }).toEqual({ name, documented: true });
    }
  });
});

describe('when the modules get every option they document', () => {
  // `Required<...>`: a new option fails to compile here until it is given, so it is tried too.
  const subscriptions: Required<SubscriptionOptions> = {
    maxAttempts: 3,
    retryDelayMs: 10,
    maxRetryDelayMs: 1000,
    isTransient: () => undefined,
    onFailure: 'stop',
    batchSize: 50,
    startFrom: 'end',
    pollIntervalMs: 100,
    leaseTtlMs: 3000,
    autoStart: true,
  };
  const eventSourcing: Required<EventSourcingModuleOptions> = {
    storage: new MemoryEventStorage({ chunkCapacity: 1 << 20, readPageSize: 64 }),
    snapshotInterval: 10,
    enableReplay: false,
    tablePrefix: 'shop_',
    schema: 'shop',
    statementTimeoutMs: 5000,
    poolSize: 4,
    pollIntervalMs: 100,
    maxEventBytes: 64 * 1024,
    maxBatchSize: 100,
    subscriptions,
    readPageSize: 200,
    aggregates: [],
    events: [],
    upcasters: [],
  };
  const cqrs: Required<CqrsModuleOptions> = {
    commandTimeout: 5,
    queryTimeout: 5,
    enableEventSync: true,
    validate: false,
    middleware: [],
    commandMiddleware: [],
    queryMiddleware: [],
    messages: [],
  };
  const saga: Required<SagaModuleOptions> = {
    storage: 'memory',
    maxRetries: 1,
    retryDelay: 0.01,
    maxRetryDelay: 1,
    timeout: 60,
    sagas: [],
    instanceId: `documented-options-${process.pid}`,
    leaseTtl: 30,
    recoveryInterval: 5,
    recovery: true,
    recoveryBatchSize: 5,
    tablePrefix: 'shop_saga_',
    schema: 'shop',
    migrationsRun: true,
    poolSize: 4,
    coalesceWrites: true,
    synchronousCommit: true,
  };
  const metrics: Required<CelloMetricsOptions> = { prefix: 'shop_', registry: new Registry() };
  const devtools: Required<DevtoolsModuleOptions> = {
    enabled: false,
    guard: { canActivate: () => true },
    imports: [],
    redact: (value) => value,
    maxScan: 1000,
  };

  it('should boot with all of them on the memory backends', async () => {
    const app = await Test.createTestingModule({
      imports: [
        EventSourcingModule.forRoot(eventSourcing),
        CqrsModule.forRoot(cqrs),
        SagaModule.forRoot(saga),
        CelloMetricsModule.forRoot(metrics),
        DevtoolsModule.forRoot(devtools),
      ],
    }).compile();
    await app.init();
    try {
      expect(app.get(SubscriptionManager)).toBeInstanceOf(SubscriptionManager);
    } finally {
      await app.close();
    }
  });
});
