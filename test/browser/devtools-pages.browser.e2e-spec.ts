/// <reference lib="dom" />
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { NonRetryableError, Saga, SagaRunner, SagaStep } from '@cello/saga';
import { AppModule } from '../../apps/demo/src/app.module';
import { DemoConfig } from '../../apps/demo/src/config/demo-config';
import { FAST_SAGAS, fulfillBody, orderBody } from '../e2e/demo-support';
import { artifactPath, launchBrowser } from '../support/browser';
import { usePostgresDatabase } from '../support/postgres-database';
import request from 'supertest';

const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';

/** A saga whose compensation fails once, so the dashboard has one to retry. */
@Injectable()
class RefundDeskSaga extends Saga {
  /** The refund desk refuses compensations until the test opens it. */
  refusing = true;
  steps = [
    new SagaStep({
      name: 'open_ticket',
      action: () => undefined,
      compensate: () => {
        if (this.refusing) throw new NonRetryableError('refund desk closed');
      },
    }),
    new SagaStep({
      name: 'pay_out',
      action: () => {
        throw new NonRetryableError('payout refused');
      },
    }),
  ];
}

@Module({ providers: [RefundDeskSaga] })
class RefundDeskModule {}

describe('the developer pages in a real browser', () => {
  const db = usePostgresDatabase();
  let app: INestApplication;
  let base: string;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  let failedSagaId: string;

  beforeAll(async () => {
    const config = new DemoConfig({ saga: FAST_SAGAS, databaseUrl: db.url });
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(config), RefundDeskModule],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;

    // Real work: 30 orders (one with markup in its customer id), fulfilments that
    // complete and that compensate, and a saga whose compensation fails.
    const http = request(app.getHttpServer());
    for (let i = 0; i < 29; i++) {
      await http
        .post('/orders')
        .send(orderBody(`customer-${i % 3}`))
        .expect(201);
    }
    const hostile = await request(app.getHttpServer())
      .post('/orders')
      .send(orderBody(XSS))
      .expect(201);
    const orderId = hostile.body.order_id as string;
    await request(app.getHttpServer())
      .post(`/orders/${orderId}/fulfill`)
      .send(fulfillBody())
      .expect(200);
    await request(app.getHttpServer())
      .post(`/orders/${orderId}/fulfill`)
      .send(fulfillBody({ country: 'XX' }))
      .expect(500);
    const failed = await app.get(SagaRunner).execute(RefundDeskSaga, {});
    expect(failed.status).toBe('compensation_failed');
    failedSagaId = failed.sagaId;

    browser = await launchBrowser();
    page = await browser.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  describe('when /events is opened', () => {
    it('should list the newest events first and page back through the log', async () => {
      // When
      await page.goto(`${base}/events?limit=20`);
      await page.locator('#events tbody tr').first().waitFor();
      // Then
      const firstPage = await page
        .locator('#events tbody tr')
        .evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.position)));
      expect(firstPage.length).toBe(20);
      expect(firstPage).toEqual([...firstPage].sort((a, b) => b - a));
      await page.screenshot({ path: artifactPath('events-newest.png'), fullPage: true });

      await page.click('#older');
      await page.waitForFunction(
        (top) =>
          Number(document.querySelector('#events tbody tr')?.getAttribute('data-position')) < top,
        firstPage[firstPage.length - 1] + 1,
      );
      const secondTop = Number(
        await page.locator('#events tbody tr').first().getAttribute('data-position'),
      );
      expect(secondTop).toBe(firstPage[firstPage.length - 1] - 1);
      await page.click('#newer');
      await page.waitForFunction(
        (top) =>
          Number(document.querySelector('#events tbody tr')?.getAttribute('data-position')) === top,
        firstPage[0],
      );
    });

    it('should filter by event type', async () => {
      await page.goto(`${base}/events`);
      await page.fill('#type', 'OrderCreated');
      await page.click('#filters button[type=submit]');
      await page.waitForFunction(() =>
        [...document.querySelectorAll('#events tbody .event-type')].every(
          (c) => c.textContent === 'OrderCreated',
        ),
      );
      const types = await page.locator('#events tbody .event-type').allTextContents();
      expect(types.length).toBe(30);
      expect(new Set(types)).toEqual(new Set(['OrderCreated']));
    });

    it('should open one stream in order and show payloads verbatim without running them', async () => {
      // When: the stream of the order whose customer id is markup
      await page.goto(`${base}/events?type=OrderCreated&limit=100`);
      const hostileRow = page.locator('#events tbody tr', { hasText: 'OrderCreated' }).first();
      await hostileRow.waitFor();
      await hostileRow.locator('.stream-link').click();
      await page.waitForFunction(() => new URL(location.href).searchParams.has('stream'));
      await page.locator('#events tbody tr').first().waitFor();
      for (const summary of await page.locator('#events summary').all()) await summary.click();
      await page.screenshot({ path: artifactPath('events-stream.png'), fullPage: true });
      // Then
      const versions = await page.locator('#events tbody tr td:nth-child(3)').allTextContents();
      expect(versions.map(Number)).toEqual(versions.map((_, i) => i + 1));
      const payloads = (await page.locator('#events pre.payload').allTextContents()).join('\n');
      expect(payloads).toContain('"customerId"');
      expect(payloads).toContain(JSON.stringify(XSS).slice(1, -1));
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBe(
        undefined,
      );
      expect(await page.locator('#events img').count()).toBe(0);
      expect(await page.locator('#events script').count()).toBe(0);
    });
  });

  describe('when /sagas is opened', () => {
    it('should show sagas with status and progress, filter them, and retry a failed compensation', async () => {
      // When
      await page.goto(`${base}/sagas`);
      await page.locator('#sagas tbody tr').first().waitFor();
      await page.screenshot({ path: artifactPath('sagas-all.png'), fullPage: true });
      // Then: every status the work produced is shown
      const statuses = await page
        .locator('#sagas tbody tr')
        .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.status));
      expect(new Set(statuses)).toEqual(
        new Set(['completed', 'compensated', 'compensation_failed']),
      );
      const failedRow = page.locator(`#sagas tbody tr[data-saga-id="${failedSagaId}"]`);
      await expect(failedRow.textContent()).resolves.toContain('refund desk closed');

      // When: filtering by status
      await page.selectOption('#status', 'compensation_failed');
      await page.waitForFunction(() =>
        [...document.querySelectorAll('#sagas tbody tr')].every(
          (r) => (r as HTMLElement).dataset.status === 'compensation_failed',
        ),
      );
      expect(await page.locator('#sagas tbody tr').count()).toBe(1);

      // When: the desk opens and the failed compensation is retried
      app.get(RefundDeskSaga).refusing = false;
      await failedRow.locator('button.retry').click();
      await page.selectOption('#status', 'compensated');
      await page.locator(`#sagas tbody tr[data-saga-id="${failedSagaId}"]`).waitFor();
      await page.screenshot({ path: artifactPath('sagas-retried.png'), fullPage: true });
      // Then
      const status = await app.get(SagaRunner).getStatus(failedSagaId);
      expect(status.status).toBe('compensated');
    });
  });
});
