import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isCelloError } from '@cello/core';
import { Saga, SagaModule, SagaRunner, SagaStep, type SagaModuleOptions } from '@cello/saga';
import { usePostgresDatabase } from '../support/postgres-database';
import { FakeOrderServices } from './fixtures/fake-order-services';
import { OrderSaga, orderContext, type OrderContext } from './fixtures/order-saga.fixture';

describe('OrderSaga on PostgreSQL', () => {
  const db = usePostgresDatabase();
  let app: INestApplication;
  let runner: SagaRunner;
  let services: FakeOrderServices;

  beforeAll(async () => {
    await FakeOrderServices.createTables(db.url);
  });

  async function boot(options: SagaModuleOptions = {}) {
    services = new FakeOrderServices(db.url);
    const moduleRef = await Test.createTestingModule({
      imports: [
        SagaModule.forRoot({ storage: db.url, retryDelay: 0.005, recovery: false, ...options }),
      ],
      providers: [OrderSaga, { provide: FakeOrderServices, useValue: services }],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
    runner = app.get(SagaRunner);
  }

  afterEach(async () => {
    await app?.close();
    await services?.close();
    // A test that boots nothing must not close the previous test's app again.
    app = undefined as unknown as INestApplication;
    services = undefined as unknown as FakeOrderServices;
  });

  describe('when every step succeeds', () => {
    it('should complete, with the context saved after every step', async () => {
      // Given
      await boot();
      // When
      const result = await runner.execute<OrderContext>(OrderSaga, orderContext(1));
      // Then
      expect(result).toMatchObject({
        success: true,
        status: 'completed',
        stepsCompleted: ['reserve_inventory', 'process_payment', 'ship_order'],
        compensatedSteps: [],
      });
      expect(result.context.shipment_id).toMatch(/^create_shipment-/);
      expect(await services.ledger(result.sagaId)).toEqual([
        'reserve_inventory',
        'charge_payment',
        'create_shipment',
      ]);
      const status = await runner.getStatus(result.sagaId);
      expect(status).toMatchObject({ sagaName: 'OrderSaga', status: 'completed' });
      expect(status.context).toMatchObject({ reservation_id: result.context.reservation_id });
    });
  });

  describe.each([
    ['reserve_inventory', 'reserve_inventory', [], []],
    ['process_payment', 'charge_payment', ['reserve_inventory'], ['release_inventory']],
    [
      'ship_order',
      'create_shipment',
      ['reserve_inventory', 'process_payment'],
      ['refund_payment', 'release_inventory'],
    ],
  ])('when step %s fails for good', (step, effect, completed, compensations) => {
    it('should compensate exactly the completed steps, in reverse order', async () => {
      // Given
      await boot();
      services.failures = { refuse: [effect] };
      // When
      const result = await runner.execute(OrderSaga, orderContext(`fail-${step}`));
      // Then
      expect(result).toMatchObject({
        success: false,
        status: 'compensated',
        failedStep: step,
        stepsCompleted: completed,
        compensatedSteps: [...completed].reverse(),
      });
      const ledger = await services.ledger(result.sagaId);
      expect(ledger).toEqual([...ledgerEffects(completed), ...compensations]);
      expect((await runner.getStatus(result.sagaId)).status).toBe('compensated');
    });
  });

  describe('when the payment service fails twice, then works', () => {
    it('should retry with the same idempotency key and complete', async () => {
      // Given
      await boot();
      services.failures = { transient: { charge_payment: 2 } };
      // When
      const result = await runner.execute(OrderSaga, orderContext('retry'));
      // Then
      expect(result.success).toBe(true);
      const status = await runner.getStatus(result.sagaId);
      expect(status.steps.map((s) => s.attempts)).toEqual([1, 3, 1]);
      const client = new Client(db.url);
      await client.connect();
      const { rows } = await client.query(
        `SELECT count(DISTINCT idempotency_key)::int AS keys, count(*)::int AS calls
         FROM fake_calls WHERE saga_id = $1 AND effect = 'charge_payment'`,
        [result.sagaId],
      );
      await client.end();
      expect(rows[0]).toEqual({ keys: 1, calls: 3 });
    });
  });

  describe('when the saga runs out of time', () => {
    it('should start no further step, compensate and say it timed out', async () => {
      // Given
      await boot({ timeout: 0.3 });
      services.failures = { delayMs: 120 };
      // When
      const result = await runner.execute(OrderSaga, orderContext('slow'));
      // Then
      expect(result).toMatchObject({ success: false, status: 'timed_out', timedOut: true });
      expect(isCelloError(result.error, 'saga-timeout')).toBe(true);
      expect(result.compensatedSteps).toEqual([...result.stepsCompleted].reverse());
      const ledger = await services.ledger(result.sagaId);
      expect(ledger).not.toContain('create_shipment');
    });
  });

  describe('when a compensation keeps failing', () => {
    it('should end compensation_failed, then compensate on retryCompensation', async () => {
      // Given
      await boot({ maxRetries: 1 });
      services.failures = { refuse: ['create_shipment'], down: ['refund_payment'] };
      // When
      const result = await runner.execute(OrderSaga, orderContext('stuck'));
      // Then
      expect(result.status).toBe('compensation_failed');
      expect(result.error?.message).toMatch(
        /Saga "OrderSaga" \(.+\) could not compensate step "process_payment": refund_payment: service down/,
      );
      const failed = await runner.list({ status: 'compensation_failed' });
      expect(failed.map((s) => s.sagaId)).toContain(result.sagaId);
      // When the refund service is back and the operator retries
      services.failures = {};
      const retried = await runner.retryCompensation(result.sagaId);
      // Then
      expect(retried.status).toBe('compensated');
      expect(await services.ledger(result.sagaId)).toEqual([
        'reserve_inventory',
        'charge_payment',
        'refund_payment',
        'release_inventory',
      ]);
    });
  });

  describe('when a step refuses with NonRetryableError', () => {
    it('should not retry it', async () => {
      // Given
      await boot({ maxRetries: 5 });
      services.failures = { refuse: ['charge_payment'] };
      // When
      const result = await runner.execute(OrderSaga, orderContext('refused'));
      // Then
      expect((await runner.getStatus(result.sagaId)).steps[1].attempts).toBe(1);
      expect(result.compensatedSteps).toEqual(['reserve_inventory']);
    });
  });

  describe('when another instance takes the saga over mid-step', () => {
    it('should stop driving it: its fenced write is refused', async () => {
      // Given a saga in a slow first step (slow enough for the takeover to land in it)
      await boot();
      services.failures = { delayMs: 1000 };
      const execution = runner.execute(OrderSaga, orderContext('stolen'));
      const client = new Client(db.url);
      await client.connect();
      let id: string | undefined;
      while (!id) {
        const { rows } = await client.query<{ id: string }>(
          `SELECT id FROM cello_saga_instances WHERE context->>'order_id' = 'order-stolen'`,
        );
        id = rows[0]?.id;
      }
      // When another instance takes the lease
      await client.query(
        `UPDATE cello_saga_instances SET lease_owner = 'thief', fencing_token = fencing_token + 1
         WHERE id = $1`,
        [id],
      );
      // Then this instance gives the saga up, having written nothing more
      await expect(execution).rejects.toMatchObject({ code: 'saga-lease-lost', sagaId: id });
      const { rows } = await client.query(
        'SELECT lease_owner, state FROM cello_saga_instances WHERE id = $1',
        [id],
      );
      await client.end();
      expect(rows[0].lease_owner).toBe('thief');
      expect(rows[0].state.steps[0].status).toBe('running');
      expect(rows[0].state.steps[1].status).toBe('pending');
    });
  });

  describe('when two instances execute one caller-chosen saga id at once (a retried request)', () => {
    it('should run the saga once and give both callers its result', async () => {
      // Given two instances on one database, with slow steps
      await boot();
      const first = { app, runner, services };
      await boot();
      first.services.failures = { delayMs: 100 };
      services.failures = { delayMs: 100 };
      const sagaId = `fulfil-${Date.now()}`;

      // When both execute it
      const [a, b] = await Promise.all([
        first.runner.execute<OrderContext>(OrderSaga, orderContext('retried'), { sagaId }),
        runner.execute<OrderContext>(OrderSaga, orderContext('retried'), { sagaId }),
      ]).finally(() => first.app.close());

      // Then every effect happened once, and both callers got the completed result
      expect(a).toMatchObject({ sagaId, status: 'completed', success: true });
      expect(b).toMatchObject({ sagaId, status: 'completed', success: true });
      expect(await services.ledger(sagaId)).toEqual([
        'reserve_inventory',
        'charge_payment',
        'create_shipment',
      ]);
      await first.services.close();
    });
  });

  describe('when the app fails to start on a misdeclared saga', () => {
    it('should close the storage it opened from the URL, leaving no connection behind', async () => {
      // Given a saga whose step has an impossible retry count
      @Saga('misdeclared')
      class MisdeclaredSaga {
        @SagaStep({ name: 'only', maxRetries: -1 })
        only(): void {}
      }

      // When
      const moduleRef = await Test.createTestingModule({
        imports: [SagaModule.forRoot({ storage: db.url, recovery: false })],
        providers: [MisdeclaredSaga],
      }).compile();
      const error = await moduleRef.init().catch((e: unknown) => e);

      // Then
      expect(isCelloError(error, 'saga-invalid-definition')).toBe(true);
      const client = new Client(db.url);
      await client.connect();
      try {
        const { rows } = await client.query<{ count: string }>(
          `SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        );
        expect(Number(rows[0].count)).toBe(0);
      } finally {
        await client.end();
      }
    });
  });

  describe("when the storage is TypeOrmModule's DataSource, injected through forRootAsync", () => {
    it('should run sagas on it and leave it to TypeOrmModule to close', async () => {
      // Given
      services = new FakeOrderServices(db.url);
      const moduleRef = await Test.createTestingModule({
        imports: [
          TypeOrmModule.forRoot({ type: 'postgres', url: db.url, retryAttempts: 1 }),
          SagaModule.forRootAsync({
            inject: [DataSource],
            useFactory: (dataSource: DataSource) => ({ storage: dataSource, recovery: false }),
          }),
        ],
        providers: [OrderSaga, { provide: FakeOrderServices, useValue: services }],
      }).compile();
      app = moduleRef.createNestApplication();
      await app.init();
      // When
      const result = await app.get(SagaRunner).execute(OrderSaga, orderContext('typeorm'));
      // Then
      expect(result.success).toBe(true);
      expect(app.get(DataSource).isInitialized).toBe(true);
    });
  });

  describe('when the storage is an application DataSource with a schema and prefix', () => {
    it('should create its own tables there through the shipped migrations', async () => {
      // Given
      const dataSource = new DataSource({ type: 'postgres', url: db.url });
      await dataSource.initialize();
      await boot({ storage: dataSource, schema: 'sagas', tablePrefix: 'app_saga_' });
      // When
      const result = await runner.execute(OrderSaga, orderContext('ds'));
      // Then
      expect(result.success).toBe(true);
      const rows = (await dataSource.query(`SELECT name FROM sagas.app_saga_migrations`)) as {
        name: string;
      }[];
      expect(rows.map((r) => r.name).sort()).toEqual([
        'app_saga_1764300000000_create_saga_tables',
        'app_saga_1765100000000_add_saga_incarnations',
      ]);
      await app.close();
      expect(dataSource.isInitialized).toBe(true);
      await dataSource.destroy();
    });
  });
});

const EFFECT_OF: Record<string, string> = {
  reserve_inventory: 'reserve_inventory',
  process_payment: 'charge_payment',
  ship_order: 'create_shipment',
};

function ledgerEffects(steps: string[]): string[] {
  return steps.map((s) => EFFECT_OF[s]);
}
