/// <reference lib="dom" />
import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { DevtoolsModule } from '@cello/devtools';
import {
  Event,
  EventHandler,
  EventSourcingModule,
  EventStore,
  EventSubscriber,
  EventType,
  MemoryEventStorage,
  PostgresEventStorage,
  SubscriptionManager,
  type EventStorage,
} from '@cello/event-sourcing';
import { artifactPath, launchBrowser } from '../support/browser';
import { waitUntil } from '../support/eventually';
import { usePostgresDatabase } from '../support/postgres-database';

@EventType('DevtoolsSubscriptions.Parcel')
class ParcelSent extends Event {
  constructor(readonly parcelId: string) {
    super();
  }
}

/** Parks parcels whose id starts with "bad" until fixed. */
@Injectable()
@EventSubscriber({ name: 'parcel-mailer', maxAttempts: 2, retryDelayMs: 1 })
class ParcelMailer {
  fixed = false;
  readonly sent: string[] = [];

  @EventHandler(ParcelSent)
  onSent(event: ParcelSent): void {
    if (event.parcelId.startsWith('bad') && !this.fixed) {
      throw new Error(`courier refused ${event.parcelId}`);
    }
    this.sent.push(event.parcelId);
  }
}

/** Counts every parcel: the projection the rebuild replays. */
@Injectable()
@EventSubscriber({ name: 'parcel-counter' })
class ParcelCounter {
  deliveries = 0;

  @EventHandler(ParcelSent)
  onSent(): void {
    this.deliveries += 1;
  }
}

/** Retries "stuck" parcels without end while blocked: a stalled subscriber. */
@Injectable()
@EventSubscriber({ name: 'parcel-archive', maxAttempts: 1_000_000, retryDelayMs: 20 })
class ParcelArchive {
  blocked = true;

  @EventHandler(ParcelSent)
  onSent(event: ParcelSent): void {
    if (event.parcelId.startsWith('stuck') && this.blocked) {
      throw new Error(`archive offline for ${event.parcelId}`);
    }
  }
}

/** The one subscriber of the two-instance case: only one of them may run it. */
@Injectable()
@EventSubscriber({ name: 'parcel-tally' })
class ParcelTally {
  @EventHandler(ParcelSent)
  onSent(): void {}
}

const DESKTOP = { width: 1280, height: 800 };
const NARROW = { width: 390, height: 844 };

function describeSubscriptionsView(backend: string, storage: () => EventStorage): void {
  describe(`the Subscriptions view on ${backend}, in a real browser`, () => {
    let app: INestApplication;
    let base: string;
    let browser: { context: BrowserContext; close(): Promise<void> };
    let page: Page;
    const offOrigin: string[] = [];
    const logged: string[] = [];
    const tag = backend.toLowerCase().replace(/[^a-z]+/g, '-');

    beforeAll(async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          EventSourcingModule.forRoot({
            storage: storage(),
            subscriptions: { pollIntervalMs: 50, leaseTtlMs: 3000 },
          }),
          DevtoolsModule.forRoot({ enabled: true }),
        ],
        providers: [ParcelMailer, ParcelCounter, ParcelArchive],
      }).compile();
      app = moduleRef.createNestApplication({ logger: ['log', 'error', 'warn'] });
      // Keep what the actions write to the log, to check each says what it changed.
      const spy = jest.spyOn(Logger.prototype, 'log').mockImplementation(function (
        this: Logger,
        message: unknown,
      ) {
        logged.push(String(message));
      });
      void spy;
      await app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;

      const store = app.get(EventStore);
      for (const id of ['p-1', 'bad-1', 'p-2', 'bad-2', 'stuck-1', 'p-3']) {
        await store.append(`parcel-${id}-${randomUUID()}`, [new ParcelSent(id)]);
      }
      const manager = app.get(SubscriptionManager);
      await waitUntil('the parcel mailer parked both bad parcels', async () => {
        return (await manager.listParked('parcel-mailer')).length === 2;
      });
      await waitUntil('the archive is stalled', async () => {
        const status = (await manager.status()).find((s) => s.name === 'parcel-archive');
        return status?.retrying !== undefined;
      });

      browser = await launchBrowser();
      page = await browser.context.newPage();
      page.on('request', (r) => {
        if (!r.url().startsWith(base + '/')) offOrigin.push(r.url());
      });
    });

    afterAll(async () => {
      jest.restoreAllMocks();
      await browser?.close();
      await app?.close();
    });

    afterEach(() => {
      // No page of the view loads anything from elsewhere (fonts, scripts, images).
      expect(offOrigin).toEqual([]);
    });

    async function open(viewport = DESKTOP): Promise<void> {
      await page.setViewportSize(viewport);
      await page.goto(`${base}/subscriptions`);
      await page.waitForSelector('#subscriptions tbody tr[data-subscriber="parcel-counter"]');
    }

    function row(name: string): ReturnType<Page['locator']> {
      return page.locator(`#subscriptions tbody tr[data-subscriber="${name}"]`);
    }

    /** Tabs through the page until `selector` has focus (the keyboard path to an action). */
    async function tabTo(selector: string): Promise<void> {
      for (let i = 0; i < 80; i++) {
        await page.keyboard.press('Tab');
        const there = await page.evaluate(
          (s) => document.activeElement !== null && document.activeElement.matches(s),
          selector,
        );
        if (there) return;
      }
      throw new Error(`Tab never reached ${selector}`);
    }

    it('should list every subscriber with status, lease holder, checkpoint, lag and parked events with errors', async () => {
      // When
      await open();

      // Then every subscriber has a row, with its status
      const manager = app.get(SubscriptionManager);
      await waitUntil('the mailer and counter run', async () => {
        return (
          (await row('parcel-counter').getAttribute('data-status')) === 'running' &&
          (await row('parcel-mailer').getAttribute('data-status')) === 'running'
        );
      });
      expect(await row('parcel-archive').getAttribute('data-status')).toBe('stalled');
      // The lease holder is this instance for what it runs
      expect(await row('parcel-counter').locator('td.lease').textContent()).toContain(
        manager.instanceId,
      );
      // The counter is caught up; the stalled archive is behind in events and in seconds
      expect(await row('parcel-counter').locator('td.lag-events').textContent()).toBe('0');
      // (at least the stuck parcel and the one after it; the checkpoint may stand before the whole batch)
      expect(
        Number(await row('parcel-archive').locator('td.lag-events').textContent()),
      ).toBeGreaterThanOrEqual(2);
      await waitUntil('the stalled archive shows a lag in seconds', async () => {
        await page.reload();
        await page.waitForSelector('#subscriptions tbody tr[data-subscriber="parcel-archive"]');
        return Number(await row('parcel-archive').locator('td.lag-seconds').textContent()) > 0;
      });
      expect(await row('parcel-archive').locator('td.error').textContent()).toContain(
        'archive offline for stuck-1',
      );
      // The mailer's parked events with their errors
      expect(await row('parcel-mailer').locator('td.parked-count').textContent()).toBe('2');
      const parked = page.locator('tr.parked');
      expect(await parked.count()).toBe(2);
      expect(await parked.nth(0).textContent()).toContain('courier refused bad-1');
      expect(await parked.nth(1).textContent()).toContain('courier refused bad-2');
      await page.screenshot({
        path: artifactPath(`subscriptions-${tag}-desktop.png`),
        fullPage: true,
      });
      await open(NARROW);
      expect(await page.locator('tr.parked').count()).toBe(2);
      await page.screenshot({
        path: artifactPath(`subscriptions-${tag}-narrow.png`),
        fullPage: true,
      });
    });

    it('should skip one parked event only once confirmed, from the keyboard, and log what it dropped', async () => {
      // Given
      await open();
      const manager = app.get(SubscriptionManager);
      const [first] = await manager.listParked('parcel-mailer');

      // When the operator tabs to Skip, presses Enter, and cancels
      await tabTo(`tr[data-parked-id="${first.id}"] button.skip`);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#confirm[open]');
      await page.screenshot({ path: artifactPath(`subscriptions-${tag}-confirm-skip.png`) });
      await page.keyboard.press('Escape');
      await page.waitForSelector('#log:has-text("Cancelled")');

      // Then nothing changed
      expect(await manager.listParked('parcel-mailer')).toHaveLength(2);

      // When the operator confirms with Enter
      await tabTo(`tr[data-parked-id="${first.id}"] button.skip`);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#confirm[open]');
      await page.keyboard.press('Enter');

      // Then that event is dropped, undelivered, and the log names it
      await page.waitForSelector(`#log:has-text("Skipped parked event #${first.id}")`);
      expect((await manager.listParked('parcel-mailer')).map((p) => p.id)).not.toContain(first.id);
      expect(await page.locator('tr.parked').count()).toBe(1);
      expect(app.get(ParcelMailer).sent).not.toContain('bad-1');
      expect(logged.some((m) => m.includes(`skipped parked event ${first.id}`))).toBe(true);
    });

    it('should replay the parked events once confirmed, and log which it delivered', async () => {
      // Given the courier is fixed
      app.get(ParcelMailer).fixed = true;
      await open();

      // When the operator tabs to Replay, presses Enter and confirms
      await tabTo('tr[data-subscriber="parcel-mailer"] button.replay');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#confirm[open]');
      await page.keyboard.press('Enter');

      // Then the parked event is delivered and leaves the list
      await page.waitForSelector('#log:has-text("Replayed 1 of 1")');
      expect(await app.get(SubscriptionManager).listParked('parcel-mailer')).toEqual([]);
      expect(app.get(ParcelMailer).sent).toContain('bad-2');
      expect(await page.locator('tr.parked').count()).toBe(0);
      expect(logged.some((m) => m.includes('replayed parked events of "parcel-mailer"'))).toBe(
        true,
      );
      await page.screenshot({
        path: artifactPath(`subscriptions-${tag}-replayed.png`),
        fullPage: true,
      });
    });

    it('should rebuild a subscriber from the start once confirmed, and log the reset', async () => {
      // Given
      await open();
      const counter = app.get(ParcelCounter);
      const before = counter.deliveries;

      // When
      await row('parcel-counter').locator('button.rebuild').click();
      await page.waitForSelector('#confirm[open]');
      await page.locator('#confirm-ok').click();

      // Then it replayed the whole log and is back at the head
      await page.waitForSelector('#log:has-text("Rebuilt parcel-counter")');
      expect(counter.deliveries).toBe(before + 6);
      const status = (await app.get(SubscriptionManager).status()).find(
        (s) => s.name === 'parcel-counter',
      );
      expect(status).toMatchObject({ lag: 0 });
      expect(logged.some((m) => m.includes('rebuilding "parcel-counter"'))).toBe(true);
      await page.screenshot({
        path: artifactPath(`subscriptions-${tag}-narrow-after-rebuild.png`),
      });
    });

    it('should refuse an action from another site, or without a JSON body', async () => {
      const http = request(app.getHttpServer());
      await http
        .post('/subscriptions/api/subscriptions/parcel-counter/rebuild')
        .set('Origin', 'http://evil.example')
        .set('Content-Type', 'application/json')
        .send('{}')
        .expect(403);
      await http
        .post('/subscriptions/api/subscriptions/parcel-counter/rebuild')
        .set('Content-Type', 'text/plain')
        .send('{}')
        .expect(415);
      await http
        .post('/subscriptions/api/parked/999999/skip')
        .set('Content-Type', 'application/json')
        .send('{}')
        .expect(404);
    });
  });
}

describeSubscriptionsView('memory', () => new MemoryEventStorage());

describe('on PostgreSQL', () => {
  const db = usePostgresDatabase();
  describeSubscriptionsView('PostgreSQL', () =>
    PostgresEventStorage.fromUrl(db.url, { poolSize: 4 }),
  );

  describe('with two instances on one database', () => {
    const apps: INestApplication[] = [];

    async function startInstance(): Promise<INestApplication> {
      const moduleRef = await Test.createTestingModule({
        imports: [
          EventSourcingModule.forRoot({
            storage: PostgresEventStorage.fromUrl(db.url, { poolSize: 2 }),
            subscriptions: { pollIntervalMs: 50, leaseTtlMs: 30_000 },
          }),
          DevtoolsModule.forRoot({ enabled: true }),
        ],
        providers: [ParcelTally],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
      apps.push(app);
      await app.init();
      return app;
    }

    afterAll(async () => {
      for (const app of apps.reverse()) await app.close();
    });

    it('should name the other instance as the lease holder of a standby subscriber', async () => {
      // Given the first instance runs the tally
      const first = await startInstance();
      const holder = first.get(SubscriptionManager);
      await waitUntil('the first instance runs the tally', async () => {
        const status = (await holder.status()).find((s) => s.name === 'parcel-tally');
        return status?.state === 'running';
      });

      // When a second instance starts on the same database
      const second = await startInstance();

      // Then its view shows the tally on standby, held by the first instance
      let tally: { status: string; leaseHolder: string | null } | undefined;
      await waitUntil('the second instance reports the tally', async () => {
        const response = await request(second.getHttpServer())
          .get('/subscriptions/api/subscriptions')
          .expect(200);
        tally = (
          response.body as {
            subscriptions: { name: string; status: string; leaseHolder: string | null }[];
          }
        ).subscriptions.find((s) => s.name === 'parcel-tally');
        return tally?.status === 'standby';
      });
      expect(tally?.leaseHolder).toBe(holder.instanceId);
      expect(second.get(SubscriptionManager).instanceId).not.toBe(holder.instanceId);
    });
  });
});
