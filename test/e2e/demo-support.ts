// Shared helpers of the demo's end-to-end tests: boot the real AppModule with a
// DemoConfig (no process.env), and build request bodies.
import { ConsoleLogger, type INestApplication, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import { AppModule } from '../../apps/demo/src/app.module';
import { DemoConfig } from '../../apps/demo/src/config/demo-config';

/** A booted demo and a supertest agent on it. */
export interface RunningDemo {
  readonly app: INestApplication;
  readonly http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

/** Saga settings that keep retries quick in tests. */
export const FAST_SAGAS = { maxRetries: 3, retryDelaySeconds: 0.005, timeoutSeconds: 60 };

/** Boots the demo as `main.ts` does, with `settings` instead of the environment. */
export async function bootDemo(
  settings: Partial<DemoConfig> = {},
  logger: LoggerService | false = false,
): Promise<RunningDemo> {
  const config = new DemoConfig({ saga: FAST_SAGAS, ...settings });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config)],
  }).compile();
  const app = moduleRef.createNestApplication({ logger });
  await app.init();
  const server = app.getHttpServer() as App;
  return { app, http: () => request(server), close: () => app.close() };
}

/**
 * Boots the demo once for the enclosing `describe` (after its test database
 * exists) and closes it after the last test. The settings are read inside the
 * hook, so they may use the database's URL.
 */
export function useDemo(
  settings: () => Partial<DemoConfig> = () => ({}),
  logger: LoggerService | false = false,
): RunningDemo {
  let running: RunningDemo | undefined;
  beforeAll(async () => {
    running = await bootDemo(settings(), logger);
  });
  afterAll(async () => {
    await running?.close();
  });
  const booted = (): RunningDemo => {
    if (!running) throw new Error('the demo runs only inside tests and hooks');
    return running;
  };
  return {
    get app() {
      return booted().app;
    },
    http: () => booted().http(),
    close: () => booted().close(),
  };
}

/** A valid `POST /orders` body. */
export function orderBody(customerId = 'customer-1') {
  return {
    customer_id: customerId,
    items: [
      { sku: 'BOOK-42', quantity: 2, price: 12.5 },
      { sku: 'PEN-7', quantity: 3, price: 1.2 },
    ],
  };
}

/** A valid `POST /orders/:id/fulfill` body; `overrides` trigger the failure rules. */
export function fulfillBody(
  overrides: Partial<{ sku: string; total: number; country: string; customerId: string }> = {},
) {
  return {
    customer_id: overrides.customerId ?? 'customer-1',
    items: [
      { sku: overrides.sku ?? 'BOOK-42', quantity: 2, price: 12.5 },
      { sku: 'PEN-7', quantity: 3, price: 1.2 },
    ],
    total: overrides.total ?? 28.6,
    address: { name: 'Ada', line1: '1 Main St', city: 'Paris', country: overrides.country ?? 'FR' },
  };
}

/** Creates an order and resolves with its id. */
export async function createOrder(demo: RunningDemo, customerId = 'customer-1'): Promise<string> {
  const response = await demo.http().post('/orders').send(orderBody(customerId)).expect(201);
  return (response.body as { order_id: string }).order_id;
}

/** The ledger of one order as `[service, action, amount]` rows. */
export async function ledgerOf(
  demo: RunningDemo,
  orderId: string,
): Promise<[string, string, number][]> {
  const response = await demo.http().get('/demo/ledger').query({ order_id: orderId }).expect(200);
  const entries = (
    response.body as { entries: { service: string; action: string; amount: number }[] }
  ).entries;
  return entries.map((entry) => [entry.service, entry.action, entry.amount]);
}

/** Polls `GET /orders/:id/fulfillment` until it leaves `running` (bounded). */
export async function settledFulfillment(
  demo: RunningDemo,
  orderId: string,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await demo.http().get(`/orders/${orderId}/fulfillment`).expect(200);
    const body = response.body as Record<string, unknown>;
    if (body.status !== 'running' || Date.now() > deadline) return body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Keeps what the app logs instead of printing it. */
export class CapturingLogger extends ConsoleLogger {
  readonly lines: string[] = [];

  override log(message: unknown, context?: string): void {
    this.lines.push(`${context ?? ''}: ${String(message)}`);
  }

  override warn(message: unknown, context?: string): void {
    this.lines.push(`${context ?? ''}: ${String(message)}`);
  }
}
