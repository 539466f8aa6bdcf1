import { currentMessageContext, runInMessageContext } from '@cello/core/internal';
import { compileSaga } from '@cello/saga/definition/saga-compiler';
import { SagaRegistry } from '@cello/saga/definition/saga-registry';
import { Saga } from '@cello/saga/decorators/saga.decorator';
import { SagaStep } from '@cello/saga/decorators/saga-step.decorator';
import { resolveSagaOptions } from '@cello/saga/resolve-saga-options';
import { SagaRunner } from '@cello/saga/runner/saga-runner';
import type { SagaStorage } from '@cello/saga/storage/saga-storage';
import { MemorySagaStorage } from '@cello/saga/storage/memory/memory-saga-storage';
import { MysqlSagaStorage } from '@cello/saga/storage/mysql/mysql-saga-storage';
import { PostgresSagaStorage } from '@cello/saga/storage/postgres/postgres-saga-storage';
import { waitUntil } from '../../../support/eventually';
import { useMysqlDatabase } from '../../../support/mysql-database';
import { usePostgresDatabase } from '../../../support/postgres-database';

/** The correlation id each step ran under, by saga id and step. */
const seen = new Map<string, string | undefined>();
/** While true, the first instance "dies" inside the charge step (it never returns). */
let hang = true;

function step(name: string) {
  return new SagaStep({
    name,
    action: async ({ sagaId }) => {
      seen.set(`${sagaId}:${name}`, currentMessageContext()?.correlationId);
      if (name === 'charge' && hang) await new Promise(() => undefined);
    },
  });
}

class CorrelatedSaga extends Saga {
  steps = [step('reserve'), step('charge'), step('ship')];
}

function runner(storage: SagaStorage, instanceId: string): SagaRunner {
  const resolved = resolveSagaOptions({
    retryDelay: 0,
    leaseTtl: 0.2,
    recovery: false,
    instanceId,
  });
  const registry = new SagaRegistry();
  registry.register(compileSaga(new CorrelatedSaga(), resolved));
  return new SagaRunner(registry, storage, resolved);
}

/** Each instance opens its own storage on the same data (memory: one shared map). */
type OpenStorage = () => Promise<SagaStorage>;

function describeRecoveredCorrelation(name: string, open: () => OpenStorage): void {
  describe(`when another instance recovers a saga started in a request (${name})`, () => {
    const runners: SagaRunner[] = [];

    // Closes what a failed case left open (shutting a runner down closes its storage).
    afterEach(async () => {
      hang = false;
      await Promise.all(runners.splice(0).map((each) => each.onApplicationShutdown()));
    });

    it("should run the remaining steps in the request's correlation, not the saga id", async () => {
      // Given: a saga started under a request's correlation id, whose instance dies mid-step
      const openStorage = open();
      hang = true;
      const first = runner(await openStorage(), 'first');
      runners.push(first);
      const id = await runInMessageContext(
        { correlationId: 'request-42', causationId: 'command-1' },
        () => first.start(CorrelatedSaga, {}),
      );
      const storage = await openStorage();
      const second = runner(storage, 'second');
      runners.push(second);
      await waitUntil(
        'the charge step runs',
        async () => (await storage.load(id))?.state.steps[1].status === 'running',
      );
      runners.splice(runners.indexOf(first), 1);
      await first.onApplicationShutdown();
      hang = false;

      // When another instance takes it over once its lease expired
      await waitUntil('the saga is recovered', async () => (await second.recoverAbandoned()) === 1);
      await waitUntil(
        'the saga completes',
        async () => (await storage.load(id))?.status === 'completed',
      );

      // Then
      expect(seen.get(`${id}:reserve`)).toBe('request-42');
      expect(seen.get(`${id}:charge`)).toBe('request-42');
      expect(seen.get(`${id}:ship`)).toBe('request-42');
    });
  });
}

describeRecoveredCorrelation('memory', () => {
  const shared = new MemorySagaStorage();
  // One process: each instance sees the same memory; closing one closes nothing.
  return async () => Object.assign(Object.create(shared) as SagaStorage, { close: async () => {} });
});

describe('PostgreSQL', () => {
  const db = usePostgresDatabase();
  describeRecoveredCorrelation('PostgreSQL', () => () => PostgresSagaStorage.fromUrl(db.url));
});

describe('MySQL/MariaDB', () => {
  const db = useMysqlDatabase();
  describeRecoveredCorrelation('MySQL', () => () => MysqlSagaStorage.fromUrl(db.url));
});
