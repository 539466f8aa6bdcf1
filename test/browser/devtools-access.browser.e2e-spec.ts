/// <reference lib="dom" />
import { createServer, type Server } from 'node:http';
import {
  ForbiddenException,
  Injectable,
  Module,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { DevtoolsModule } from '@cello/devtools';
import { Event, EventSourcingModule, EventStore, EventType } from '@cello/event-sourcing';
import { NonRetryableError, Saga, SagaModule, SagaRunner, SagaStep } from '@cello/saga';
import { AppModule } from '../../apps/demo/src/app.module';
import { DemoConfig } from '../../apps/demo/src/config/demo-config';
import { FAST_SAGAS } from '../e2e/demo-support';
import { launchBrowser } from '../support/browser';
import { usePostgresDatabase } from '../support/postgres-database';

/** A saga whose refund fails until the desk opens; counts every refund it makes. */
@Injectable()
class RefundDeskSaga extends Saga {
  refusing = true;
  refunds = 0;
  steps = [
    new SagaStep({
      name: 'charge',
      action: () => undefined,
      compensate: () => {
        this.refunds += 1;
        if (this.refusing) throw new NonRetryableError('refund desk closed');
      },
    }),
    new SagaStep({
      name: 'ship',
      action: () => {
        throw new NonRetryableError('shipping refused');
      },
    }),
  ];
}

@Module({ providers: [RefundDeskSaga] })
class RefundDeskModule {}

/** Serves `pages` (path → HTML) from another origin: http://localhost:<port>. */
async function serveOtherSite(pages: Record<string, string>): Promise<{
  server: Server;
  origin: string;
}> {
  const server = createServer((request, response) => {
    const html = pages[request.url ?? ''];
    response.writeHead(html === undefined ? 404 : 200, { 'Content-Type': 'text/html' });
    response.end(html ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // localhost and 127.0.0.1 are different sites to the browser, as evil.example and the app would be.
  return { server, origin: `http://localhost:${(server.address() as { port: number }).port}` };
}

async function listen(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
}

describe('the developer pages against other sites, in a real browser', () => {
  const db = usePostgresDatabase();
  let app: INestApplication;
  let base: string;
  let other: { server: Server; origin: string };
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  let sagaId: string;
  /** Refunds made while the saga failed (its compensation retries). */
  let refundsBefore: number;

  beforeAll(async () => {
    const config = new DemoConfig({ saga: FAST_SAGAS, databaseUrl: db.url });
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(config), RefundDeskModule],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false, forceCloseConnections: true });
    base = await listen(app);
    const failed = await app.get(SagaRunner).execute(RefundDeskSaga, {});
    expect(failed.status).toBe('compensation_failed');
    sagaId = failed.sagaId;
    refundsBefore = app.get(RefundDeskSaga).refunds;
    // From now on a retry would succeed: anything that re-runs the refund shows.
    app.get(RefundDeskSaga).refusing = false;

    const retry = `${base}/sagas/api/sagas/${sagaId}/retry`;
    other = await serveOtherSite({
      '/form': `<form method="POST" action="${retry}" enctype="text/plain">
          <input name='{"x":"' value='"}'></form>
        <script>document.forms[0].submit()</script>`,
      '/urlencoded': `<form method="POST" action="${retry}"><input name="a" value="b"></form>
        <script>document.forms[0].submit()</script>`,
      '/fetch': `<script>
        (async () => {
          const plain = await fetch('${retry}', { method: 'POST', mode: 'no-cors', credentials: 'include',
            headers: { 'Content-Type': 'text/plain' }, body: '{}' }).then(() => 'sent', () => 'failed');
          const json = await fetch('${retry}', { method: 'POST', credentials: 'include',
            headers: { 'Content-Type': 'application/json' }, body: '{}' }).then((r) => r.status, () => 'blocked');
          window.results = { plain, json };
        })();
        </script>`,
      '/frame': `<iframe id="victim" src="${base}/sagas" width="800" height="600"
        onload="window.frameLoaded = true"></iframe>`,
    });

    browser = await launchBrowser();
    page = await browser.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => other?.server.close(resolve));
    await app?.close();
  });

  /** The saga was not retried and its refund did not run again. */
  async function expectNothingReRun(): Promise<void> {
    expect((await app.get(SagaRunner).getStatus(sagaId)).status).toBe('compensation_failed');
    expect(app.get(RefundDeskSaga).refunds).toBe(refundsBefore);
  }

  describe('when another site submits a form to the retry endpoint', () => {
    it.each(['/form', '/urlencoded'])(
      'should refuse it with 403 and re-run nothing (%s)',
      async (path) => {
        // When
        const answer = page.waitForResponse((r) => r.url().endsWith('/retry'));
        await page.goto(`${other.origin}${path}`);
        const response = await answer;

        // Then
        expect(response.status()).toBe(403);
        expect(await response.text()).toContain('Cross-site request refused');
        await expectNothingReRun();
      },
    );
  });

  describe('when another site calls the retry endpoint with fetch', () => {
    it('should refuse the no-cors text/plain call and never send the JSON one', async () => {
      // When
      const refused = page.waitForResponse((r) => r.url().endsWith('/retry'));
      await page.goto(`${other.origin}/fetch`);
      await page.waitForFunction(() => (window as unknown as { results?: unknown }).results);
      const results = await page.evaluate(
        () => (window as unknown as { results: { plain: string; json: string } }).results,
      );

      // Then
      expect((await refused).status()).toBe(403);
      expect(results.json).toBe('blocked'); // the CORS preflight is never answered
      await expectNothingReRun();
    });
  });

  describe('when another site frames the dashboard', () => {
    it('should be refused by the browser', async () => {
      // Given
      const consoleLines: string[] = [];
      page.on('console', (message) => consoleLines.push(message.text()));
      const served = page.waitForResponse((r) => r.url() === `${base}/sagas`);

      // When
      await page.goto(`${other.origin}/frame`);
      const response = await served;
      await page.waitForFunction(
        () => (window as unknown as { frameLoaded?: boolean }).frameLoaded === true,
      );

      // Then
      expect(response.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers()['x-frame-options']).toBe('DENY');
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(frame).toBeDefined();
      await expect(frame!.locator('#sagas').count()).resolves.toBe(0);
      expect(consoleLines.join('\n')).toContain('frame-ancestors');
    });
  });

  describe('when the dashboard itself retries', () => {
    it('should still work from its own origin', async () => {
      // When
      await page.goto(`${base}/sagas?status=compensation_failed`);
      const answer = page.waitForResponse((r) => r.url().endsWith('/retry'));
      await page.locator(`#sagas tbody tr[data-saga-id="${sagaId}"] button.retry`).click();
      const response = await answer;

      // Then
      expect(response.status()).toBe(200);
      expect(response.request().headers()['content-type']).toBe('application/json');
      expect(await response.json()).toMatchObject({ sagaId, status: 'compensated' });
      expect((await app.get(SagaRunner).getStatus(sagaId)).status).toBe('compensated');
      expect(app.get(RefundDeskSaga).refunds).toBe(refundsBefore + 1);
    });
  });
});

@EventType('CustomerRegistered')
class CustomerRegistered extends Event {
  constructor(
    readonly customerId: string,
    readonly name: string,
    readonly address: string,
  ) {
    super();
  }
}

@EventType('OtherThingHappened')
class OtherThingHappened extends Event {
  constructor(readonly n: number) {
    super();
  }
}

/** A saga holding personal data in its context. */
@Injectable()
class WelcomeSaga extends Saga {
  steps = [new SagaStep({ name: 'send_card', action: () => undefined })];
}

/** The team's own sign-in: a session cookie checked against its store. */
@Injectable()
class TeamSessions {
  readonly valid = new Set(['session-of-ada']);
}

@Module({ providers: [TeamSessions], exports: [TeamSessions] })
class TeamAuthModule {}

@Injectable()
class TeamAuthGuard implements CanActivate {
  constructor(private readonly sessions: TeamSessions) {}

  canActivate(context: ExecutionContext): boolean {
    const cookie = context.switchToHttp().getRequest<{ headers: { cookie?: string } }>()
      .headers.cookie;
    const session = /(?:^|;\s*)team_session=([^;]+)/.exec(cookie ?? '')?.[1];
    if (session === undefined || !this.sessions.valid.has(session)) {
      throw new ForbiddenException('Sign in to the team portal first');
    }
    return true;
  }
}

const MASK = (value: unknown): unknown =>
  JSON.parse(
    JSON.stringify(value, (key, v: unknown) =>
      key === 'name' || key === 'address' ? '[redacted]' : v,
    ),
  );

async function bootMemoryApp(devtools: Parameters<typeof DevtoolsModule.forRoot>[0]) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      EventSourcingModule.forRoot({
        storage: 'memory',
        events: [CustomerRegistered, OtherThingHappened],
      }),
      SagaModule.forRoot({ storage: 'memory' }),
      DevtoolsModule.forRoot(devtools),
    ],
    providers: [WelcomeSaga],
  }).compile();
  // Chromium keeps its connections open: close them with the app.
  const app = moduleRef.createNestApplication({ logger: false, forceCloseConnections: true });
  return { app, base: await listen(app) };
}

describe('the developer pages behind a guard and a redaction, in a real browser', () => {
  let app: INestApplication;
  let base: string;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page;

  beforeAll(async () => {
    ({ app, base } = await bootMemoryApp({
      enabled: true,
      guard: TeamAuthGuard,
      imports: [TeamAuthModule],
      redact: (value, { kind }) => (kind === 'metadata' ? value : MASK(value)),
    }));
    await app
      .get(EventStore)
      .append('customer-7', [
        new CustomerRegistered('customer-7', 'Ada Lovelace', '12 St James Sq, London'),
      ]);
    await app.get(SagaRunner).execute(WelcomeSaga, {
      name: 'Ada Lovelace',
      address: '12 St James Sq, London',
    });
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('should deny every page and API to a browser the guard refuses', async () => {
    for (const path of [
      '/events',
      '/events/browser.js',
      '/events/api/events',
      '/sagas',
      '/sagas/api/sagas',
    ]) {
      // When
      const response = await page.goto(`${base}${path}`);

      // Then
      expect(response?.status()).toBe(403);
      expect(await page.content()).toContain('Sign in to the team portal first');
      expect(await page.content()).not.toContain('Ada');
    }
  });

  it('should show the pages to a signed-in browser, with payloads and contexts redacted', async () => {
    // Given
    await browser.context.addCookies([
      { name: 'team_session', value: 'session-of-ada', url: base },
    ]);

    // When
    await page.goto(`${base}/events`);
    await page.locator('#events tbody tr').first().waitFor();
    for (const summary of await page.locator('#events summary').all()) await summary.click();
    const shown = await page.locator('#events').innerText();
    await page.goto(`${base}/sagas`);
    await page.locator('#sagas tbody tr').first().waitFor();
    const sagas = await page.evaluate(() => fetch('/sagas/api/sagas').then((r) => r.text()));

    // Then
    expect(shown).toContain('customer-7');
    expect(shown).toContain('[redacted]');
    expect(shown).not.toContain('Ada Lovelace');
    expect(shown).not.toContain('St James');
    expect(sagas).toContain('[redacted]');
    expect(sagas).not.toContain('Ada Lovelace');
    expect(await page.locator('#sagas').innerText()).toContain('completed');
  });
});

describe('the developer pages of an app that does not opt in, in a real browser', () => {
  const saved = process.env.NODE_ENV;
  let browser: { context: BrowserContext; close(): Promise<void> };

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    process.env.NODE_ENV = saved;
    await browser?.close();
  });

  it.each([
    ['unset', 404, undefined],
    ['test', 404, 'test'],
    ['production', 404, 'production'],
    ['development', 200, 'development'],
  ])('when NODE_ENV is %s, should answer %i', async (_, status, nodeEnv) => {
    // Given
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
    const { app, base } = await bootMemoryApp({});
    process.env.NODE_ENV = saved;
    const page = await browser.context.newPage();
    try {
      for (const path of ['/events', '/sagas']) {
        // When
        const response = await page.goto(`${base}${path}`);

        // Then
        expect(response?.status()).toBe(status);
        expect(await page.locator('main table').count()).toBe(status === 200 ? 1 : 0);
      }
    } finally {
      await page.close();
      await app.close();
    }
  });
});

describe("the event browser's bounded type search, in a real browser", () => {
  let app: INestApplication;
  let base: string;
  let browser: { context: BrowserContext; close(): Promise<void> };

  beforeAll(async () => {
    ({ app, base } = await bootMemoryApp({ enabled: true, maxScan: 10 }));
    const store = app.get(EventStore);
    await store.append('customer-1', [new CustomerRegistered('customer-1', 'Ada', 'London')]);
    for (let i = 0; i < 25; i++) {
      await store.append(`other-${i}`, [new OtherThingHappened(i)]);
    }
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('should say which positions it searched and find older matches page by page', async () => {
    // When
    const page = await browser.context.newPage();
    await page.goto(`${base}/events?type=CustomerRegistered`);
    await page.waitForFunction(() => document.querySelector('#searched')?.textContent !== '');

    // Then
    expect(await page.locator('#searched').textContent()).toBe(
      'searched positions 17–26; Older → searches further back',
    );
    for (let i = 0; i < 2; i++) {
      const before = await page.locator('#searched').textContent();
      await page.click('#older');
      await page.waitForFunction(
        (previous) => document.querySelector('#searched')?.textContent !== previous,
        before,
      );
    }
    await page.locator('#events tbody tr').first().waitFor();
    expect(await page.locator('#events .event-type').allTextContents()).toEqual([
      'CustomerRegistered',
    ]);
    await page.close();
  });
});
