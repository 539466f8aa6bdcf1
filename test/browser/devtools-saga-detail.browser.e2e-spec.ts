/// <reference lib="dom" />
import { randomUUID } from 'node:crypto';
import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { DevtoolsModule } from '@cello/devtools';
import {
  Event,
  EventSourcingModule,
  EventStore,
  EventType,
  MemoryEventStorage,
  PostgresEventStorage,
  type EventStorage,
} from '@cello/event-sourcing';
import { NonRetryableError, Saga, SagaModule, SagaRunner, SagaStep } from '@cello/saga';
import { artifactPath, launchBrowser } from '../support/browser';
import { usePostgresDatabase } from '../support/postgres-database';

@EventType('DevtoolsSagaDetail.ShipmentLinked')
class ShipmentLinked extends Event {
  constructor(
    readonly orderId: string,
    readonly sagaId: string,
  ) {
    super();
  }

  override get streamId(): string {
    return this.orderId;
  }
}

/** Charges after one busy failure, then fails to ship, so the charge is refunded. */
@Injectable()
class ShipParcelSaga extends Saga {
  busy = 1;
  steps = [
    new SagaStep<{ orderId: string }>({
      name: 'charge',
      maxRetries: 2,
      action: () => {
        if (this.busy-- > 0) throw new Error('card network busy');
      },
      compensate: () => undefined,
    }),
    new SagaStep({
      name: 'ship',
      action: () => {
        throw new NonRetryableError('no courier <b>today</b>');
      },
    }),
  ];
}

const DESKTOP = { width: 1280, height: 800 };
const NARROW = { width: 390, height: 844 };

function describeSagaDetail(
  backend: string,
  options: () => { events: EventStorage; sagas: string },
): void {
  describe(`the saga detail view on ${backend}, in a real browser`, () => {
    let app: INestApplication;
    let base: string;
    let browser: { context: BrowserContext; close(): Promise<void> };
    let page: Page;
    let sagaId: string;
    const orderId = `order-${randomUUID()}`;
    const offOrigin: string[] = [];
    const tag = backend.toLowerCase().replace(/[^a-z]+/g, '-');

    beforeAll(async () => {
      const { events, sagas } = options();
      const moduleRef = await Test.createTestingModule({
        imports: [
          EventSourcingModule.forRoot({ storage: events }),
          SagaModule.forRoot({
            storage: sagas,
            instanceId: 'detail-test',
            retryDelay: 1,
            maxRetryDelay: 2,
          }),
          DevtoolsModule.forRoot({ enabled: true }),
        ],
        providers: [ShipParcelSaga],
      }).compile();
      app = moduleRef.createNestApplication({ logger: false });
      await app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
      const result = await app.get(SagaRunner).execute(ShipParcelSaga, { orderId });
      expect(result.status).toBe('compensated');
      sagaId = result.sagaId;
      await app.get(EventStore).append(orderId, [new ShipmentLinked(orderId, sagaId)]);

      browser = await launchBrowser();
      page = await browser.context.newPage();
      page.setDefaultTimeout(10_000);
      page.on('request', (r) => {
        if (!r.url().startsWith(base + '/')) offOrigin.push(r.url());
      });
    });

    afterAll(async () => {
      await browser?.close();
      await app?.close();
    });

    afterEach(() => {
      expect(offOrigin).toEqual([]);
    });

    it('should show each step, compensation and attempt with times, duration, error, idempotency key and lease owner', async () => {
      // When
      await page.setViewportSize(DESKTOP);
      await page.goto(`${base}/sagas/detail?id=${encodeURIComponent(sagaId)}`);
      await page.waitForSelector('#timeline tbody tr');

      // Then the timeline lists the attempts in order
      const rows = page.locator('#timeline tbody tr');
      expect(await rows.count()).toBe(4);
      const texts = await rows.allTextContents();
      expect(texts[0]).toContain('charge');
      expect(texts[0]).toContain('card network busy');
      expect(texts[0]).toContain(`${sagaId}:charge`);
      expect(texts[1]).toContain('succeeded');
      expect(texts[2]).toContain('no courier <b>today</b>');
      expect(await page.locator('#timeline b').count()).toBe(0);
      expect(texts[3]).toContain('compensate charge');
      expect(texts[3]).toContain(`${sagaId}:charge:compensate`);
      for (const text of texts) expect(text).toMatch(/\d+ ms/);
      expect(texts.every((t) => t.includes('detail-test'))).toBe(true);
      expect(await page.locator('#meta').textContent()).toContain('lease owner detail-test');
      expect(await page.locator('#steps tbody tr[data-step="charge"]').textContent()).toContain(
        'compensated',
      );
      await page.screenshot({
        path: artifactPath(`saga-detail-${tag}-desktop.png`),
        fullPage: true,
      });
      await page.setViewportSize(NARROW);
      await page.screenshot({
        path: artifactPath(`saga-detail-${tag}-narrow.png`),
        fullPage: true,
      });
    });

    it("should link the order's events to the saga and back, from the keyboard", async () => {
      // Given the order's events
      await page.setViewportSize(DESKTOP);
      await page.goto(`${base}/events?stream=${encodeURIComponent(orderId)}`);
      await page.waitForSelector('a.saga-link', { timeout: 15_000 });

      // When the operator tabs to the saga link and presses Enter
      let focused = false;
      for (let i = 0; i < 80 && !focused; i++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate(
          () => document.activeElement?.matches('a.saga-link') === true,
        );
      }
      expect(focused).toBe(true);
      await Promise.all([
        page.waitForURL(/\/sagas\/detail\?id=/, { timeout: 15_000 }),
        page.keyboard.press('Enter'),
      ]);

      // Then the saga's detail opens
      await page.waitForSelector('#timeline tbody tr');
      expect(new URL(page.url()).searchParams.get('id')).toBe(sagaId);

      // And its link back opens the order's events
      await page.locator('a.stream-link', { hasText: orderId }).click();
      // (the events page rewrites its query string once loaded: match on the stream alone)
      await page.waitForURL(
        (url) => url.pathname === '/events' && url.searchParams.get('stream') === orderId,
      );
      await page.waitForSelector('a.saga-link', { timeout: 15_000 });
      expect(new URL(page.url()).searchParams.get('stream')).toBe(orderId);
    });

    it('should open a saga from the dashboard, and say so for an unknown id', async () => {
      await page.goto(`${base}/sagas`);
      await page.locator(`tr[data-saga-id="${sagaId}"] a.saga-link`).click();
      await page.waitForSelector('#timeline tbody tr');
      expect(await page.locator('#title').textContent()).toContain('ShipParcelSaga');

      await page.goto(`${base}/sagas/detail?id=missing-saga`);
      await page.waitForSelector('#error:not(:empty)');
      expect(await page.locator('#error').textContent()).toContain('missing-saga');
    });
  });
}

describeSagaDetail('memory', () => ({ events: new MemoryEventStorage(), sagas: 'memory' }));

describe('on PostgreSQL', () => {
  const db = usePostgresDatabase();
  describeSagaDetail('PostgreSQL', () => ({
    events: PostgresEventStorage.fromUrl(db.url, { poolSize: 3 }),
    sagas: db.url,
  }));
});
