import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { usePostgresDatabase } from '../../../../../test/support/postgres-database';
import { DemoConfig } from '../../config/demo-config';
import { DemoConfigModule } from '../../config/demo-config.module';
import { DemoDatabaseModule } from '../../database/demo-database.module';
import { FakeServicesModule } from './fake-services.module';
import { InventoryService } from './inventory.service';
import { Ledger } from './ledger';
import { PaymentService } from './payment.service';

describe('the fake services on PostgreSQL', () => {
  const db = usePostgresDatabase();
  const contexts: INestApplicationContext[] = [];

  async function boot(): Promise<INestApplicationContext> {
    const config = new DemoConfig({ databaseUrl: db.url });
    const moduleRef = await Test.createTestingModule({
      imports: [
        DemoConfigModule.forRoot(config),
        DemoDatabaseModule.forRoot(config),
        FakeServicesModule.forRoot(config),
      ],
    }).compile();
    const context = await moduleRef.init();
    contexts.push(context);
    return context;
  }

  afterAll(async () => {
    for (const context of contexts) await context.close();
  });

  describe('when the same charge arrives many times at once', () => {
    it('should record one charge and give every caller the first answer', async () => {
      // Given
      const app = await boot();
      const payment = app.get(PaymentService);
      const call = { orderId: 'o1', customerId: 'c1', amount: 99.99, idempotencyKey: 'same' };
      // When
      const answers = await Promise.all(Array.from({ length: 20 }, () => payment.charge(call)));
      // Then
      expect(new Set(answers.map((answer) => answer.paymentId)).size).toBe(1);
      const entries = await app.get(Ledger).list('o1');
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ action: 'charge', amount: 99.99, idempotencyKey: 'same' });
    });
  });

  describe('when the app restarts on the same database', () => {
    it('should keep the ledger and still answer a repeated call with the first answer', async () => {
      // Given
      const first = await boot();
      const reserved = await first.get(InventoryService).reserve({
        orderId: 'o2',
        items: [{ sku: 'A', quantity: 3, price: 1 }],
        idempotencyKey: 'r',
      });
      await first.close();
      contexts.splice(contexts.indexOf(first), 1);
      // When
      const second = await boot();
      const inventory = second.get(InventoryService);
      const again = await inventory.reserve({
        orderId: 'o2',
        items: [{ sku: 'A', quantity: 3, price: 1 }],
        idempotencyKey: 'r',
      });
      await inventory.release({
        orderId: 'o2',
        reservationId: reserved.reservationId,
        idempotencyKey: 'x',
      });
      await inventory.release({
        orderId: 'o2',
        reservationId: reserved.reservationId,
        idempotencyKey: 'y',
      });
      // Then
      expect(again).toEqual(reserved);
      const entries = await second.get(Ledger).list('o2');
      expect(entries.map((e) => [e.service, e.action, e.amount, e.idempotencyKey])).toEqual([
        ['inventory', 'reserve', 3, 'r'],
        ['inventory', 'release', 3, 'x'],
      ]);
    });
  });
});
