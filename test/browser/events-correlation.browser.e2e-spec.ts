/// <reference lib="dom" />
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { AppModule } from '../../apps/demo/src/app.module';
import { DemoConfig } from '../../apps/demo/src/config/demo-config';
import { FAST_SAGAS, fulfillBody, orderBody } from '../e2e/demo-support';
import { artifactPath, launchBrowser } from '../support/browser';
import { usePostgresDatabase } from '../support/postgres-database';

describe('the event browser following one request in a real browser', () => {
  const db = usePostgresDatabase();
  let app: INestApplication;
  let base: string;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page;

  beforeAll(async () => {
    const config = new DemoConfig({ saga: FAST_SAGAS, databaseUrl: db.url });
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(config)],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const http = () => request(app.getHttpServer());
    // One order created and fulfilled under request "flow-1", others around it.
    await http().post('/orders').set('x-correlation-id', 'other').send(orderBody()).expect(201);
    const created = await http()
      .post('/orders')
      .set('x-correlation-id', 'flow-1')
      .send(orderBody())
      .expect(201);
    await http().post('/orders').set('x-correlation-id', 'other').send(orderBody()).expect(201);
    await http()
      .post(`/orders/${created.body.order_id}/fulfill`)
      .set('x-correlation-id', 'flow-1')
      .send(fulfillBody())
      .expect(200);
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  describe("when an event's correlation id is clicked", () => {
    it('should list every event of that request, and only those', async () => {
      // Given
      await page.goto(`${base}/events`);
      const link = page.locator('#events tbody .correlation-link', { hasText: 'flow-1' }).first();
      await link.waitFor();
      // When
      await link.click();
      // Then
      await page.waitForFunction(() => {
        const links = [...document.querySelectorAll('#events tbody .correlation-link')];
        return links.length > 0 && links.every((l) => l.textContent === 'flow-1');
      });
      const rows = await page.locator('#events tbody tr').count();
      expect(rows).toBe(2);
      expect(await page.locator('#correlation').inputValue()).toBe('flow-1');
      expect(await page.locator('#events tbody .causation').count()).toBe(2);
      expect(page.url()).toContain('correlationId=flow-1');
      await page.screenshot({ path: artifactPath('events-correlation.png'), fullPage: true });
    });
  });
});
