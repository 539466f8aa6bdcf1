/// <reference lib="dom" />
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { EventStore } from '@cello/event-sourcing';
import { AppModule } from '../../apps/demo/src/app.module';
import { DemoConfig } from '../../apps/demo/src/config/demo-config';
import { OrderCreated } from '../../apps/demo/src/orders/events/order-created.event';
import { FAST_SAGAS, fulfillBody, orderBody } from '../e2e/demo-support';
import { launchBrowser } from '../support/browser';
import { usePostgresDatabase } from '../support/postgres-database';
import { METACHARACTERS } from './shared/hostile-input';

/** Markup that sets `window.__xss` (or opens a dialog) if it ever runs, in several HTML contexts. */
const VECTORS = [
  `<img src=x onerror="window.__xss='img'">`,
  `<script>window.__xss='script'</script>`,
  `"><svg onload="window.__xss='attr'">`,
  `'><iframe srcdoc="<script>parent.__xss='iframe'</script>">`,
  `</pre></td><script>window.__xss='breakout'</script>`,
  `javascript:window.__xss='url'`,
  '${window.__xss="template"}',
  `<a href="javascript:alert(1)" id="xss-link">x</a>`,
  ...METACHARACTERS.filter((m) => !m.includes('\u0000')),
];

/** Elements that only injected markup could have put in the page body. */
const INJECTED = 'img, svg, iframe, script:not([src]), #xss-link';

describe('the developer pages given hostile stored values, in a real browser', () => {
  const db = usePostgresDatabase();
  let app: INestApplication;
  let base: string;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    const config = new DemoConfig({ saga: FAST_SAGAS, databaseUrl: db.url });
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(config)],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const http = () => request(app.getHttpServer());

    // Every vector as a customer id, a sku, a tracking number and a cancel reason,
    // as a stream id (written straight to the store), and through a fulfilment saga.
    const store = app.get(EventStore);
    for (const [i, vector] of VECTORS.entries()) {
      const created = await http()
        .post('/orders')
        .send({ customer_id: vector, items: [{ sku: vector, quantity: 1, price: 2 }] })
        .expect(201);
      const orderId = (created.body as { order_id: string }).order_id;
      if (i % 2 === 0) {
        await http().post(`/orders/${orderId}/ship`).send({ tracking_number: vector }).expect(200);
      } else {
        await http().post(`/orders/${orderId}/cancel`).send({ reason: vector }).expect(200);
      }
      await store.append(
        new OrderCreated(vector, vector, [{ sku: vector, quantity: 1, price: 1 }], 1),
      );
    }
    const saga = await http().post('/orders').send(orderBody(VECTORS[0])).expect(201);
    await http()
      .post(`/orders/${(saga.body as { order_id: string }).order_id}/fulfill`)
      .send(fulfillBody({ customerId: VECTORS[1], country: 'XX' }))
      .expect(500);

    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** Nothing ran and nothing was injected into the page. */
  async function expectNothingRan(): Promise<void> {
    expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBe(
      undefined,
    );
    expect(await page.locator('main').count()).toBe(1);
    expect(await page.locator(`main ${INJECTED.split(', ').join(', main ')}`).count()).toBe(0);
    expect(dialogs).toEqual([]);
  }

  it('should show every stored value verbatim on /events and run none of it', async () => {
    // When
    await page.goto(`${base}/events?limit=200`);
    await page.locator('#events tbody tr').first().waitFor();
    for (const summary of await page.locator('#events summary').all()) await summary.click();

    // Then
    const text = await page.locator('#events').innerText();
    for (const vector of VECTORS.slice(0, 8)) expect(text).toContain(vector);
    const streams = await page.locator('#events .stream-link').allTextContents();
    expect(streams).toEqual(expect.arrayContaining(VECTORS.slice(0, 8)));
    await expectNothingRan();
  });

  it('should open a hostile stream by its link and run none of it', async () => {
    for (const vector of VECTORS.slice(0, 8)) {
      // When
      await page.goto(`${base}/events?limit=200`);
      await page.locator('#events .stream-link', { hasText: vector }).first().click();
      // The URL changes before the stream's rows arrive: wait for the rows themselves.
      await page.waitForFunction((stream) => {
        const links = [...document.querySelectorAll('#events .stream-link')];
        return links.length > 0 && links.every((link) => link.textContent === stream);
      }, vector);

      // Then
      expect(new URL(page.url()).searchParams.get('stream')).toBe(vector);
      const streams = await page.locator('#events .stream-link').allTextContents();
      expect(new Set(streams)).toEqual(new Set([vector]));
      await expectNothingRan();
    }
  });

  it('should not reflect hostile query parameters into running markup', async () => {
    for (const vector of VECTORS.slice(0, 8)) {
      for (const path of ['/events', '/sagas']) {
        // When
        const url = `${base}${path}?stream=${encodeURIComponent(vector)}&type=${encodeURIComponent(vector)}&status=${encodeURIComponent(vector)}`;
        const response = await page.goto(url, { waitUntil: 'load' });
        await page.locator('main table tbody').first().waitFor({ state: 'attached' });

        // Then
        expect(response?.status()).toBeLessThan(500);
        await expectNothingRan();
      }
    }
  });

  it('should show sagas of hostile orders on /sagas and run none of it', async () => {
    // When
    await page.goto(`${base}/sagas`);
    await page.locator('#sagas tbody tr').first().waitFor();
    for (const row of await page.locator('#sagas tbody tr').all()) await row.click();
    await page.waitForLoadState('networkidle');

    // Then
    await expectNothingRan();
  });
});
