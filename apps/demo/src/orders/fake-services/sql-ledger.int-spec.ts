import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { useMysqlDatabase } from '../../../../../test/support/mysql-database';
import { usePostgresDatabase } from '../../../../../test/support/postgres-database';
import { DemoConfig } from '../../config/demo-config';
import { DemoConfigModule } from '../../config/demo-config.module';
import { DemoDatabaseModule } from '../../database/demo-database.module';
import { FakeServicesModule } from './fake-services.module';
import { InventoryService } from './inventory.service';
import { Ledger } from './ledger';
import { PaymentService } from './payment.service';

describe.each([
  ['PostgreSQL', usePostgresDatabase],
  ['MariaDB', useMysqlDatabase],
])('the fake services on %s', (_name, useDatabase) => {
  const db = useDatabase();
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
      const entries = await app.get(Ledger).list({ orderId: 'o1' });
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
      const entries = await second.get(Ledger).list({ orderId: 'o2' });
      expect(entries.map((e) => [e.service, e.action, e.amount, e.idempotencyKey])).toEqual([
        ['inventory', 'reserve', 3, 'r'],
        ['inventory', 'release', 3, 'x'],
      ]);
    });
  });

  describe('when the ledger is read page by page', () => {
    it('should give every entry once, in order, with each cursor', async () => {
      // Given: 7 charges of one order among others
      const app = await boot();
      const payment = app.get(PaymentService);
      for (let i = 0; i < 7; i++) {
        const orderId = i % 2 === 0 ? 'o3' : 'other';
        await payment.charge({ orderId, customerId: 'c', amount: i, idempotencyKey: `p${i}` });
      }
      const ledger = app.get(Ledger);
      // When: pages of 2 of order o3, then of everything
      const pages: number[][] = [];
      let after: number | undefined;
      do {
        const page = await ledger.list({ orderId: 'o3', after, limit: 2 });
        pages.push(page.map((entry) => entry.amount));
        after = page.length === 2 ? page[1].sequence : undefined;
      } while (after !== undefined);
      const all = await ledger.list({ limit: 1000 });
      // Then
      expect(pages).toEqual([[0, 2], [4, 6], []]);
      const sequences = all.map((entry) => entry.sequence);
      expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
      expect(new Set(sequences).size).toBe(sequences.length);
    });
  });
});
