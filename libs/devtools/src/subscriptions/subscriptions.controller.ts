import {
  BadRequestException,
  Controller,
  Get,
  Header,
  HttpCode,
  Logger,
  NotFoundException,
  Optional,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { isCelloError } from '@cello/core';
import { SubscriptionManager } from '@cello/event-sourcing';
import { DevtoolsAppGuard } from '../access/devtools-app-guard';
import { DevtoolsEnabledGuard } from '../access/devtools-enabled.guard';
import { DevtoolsSameOriginGuard } from '../access/devtools-same-origin.guard';
import { DEVTOOLS_CSP, DEVTOOLS_FRAME_OPTIONS } from '../page/devtools-page';
import { SubscriptionsOverview } from './subscriptions-overview';
import type { SubscriptionsOverviewPage } from './subscriptions-overview';
import { SUBSCRIPTIONS_PAGE_HTML, SUBSCRIPTIONS_VIEW_JS } from './subscriptions-page';

/** How one parked event's replay went. */
export interface ParkedReplayResult {
  readonly id: number;
  readonly position: number;
  readonly replayed: boolean;
  readonly error?: string;
}

/** How long a rebuild from the page may take before it answers (it carries on regardless). */
const REBUILD_WAIT_MS = 30_000;

/** `/subscriptions`: every subscriber's progress and parked events, and the operator's actions. */
@Controller('subscriptions')
// The app's guard runs on pages and APIs alike; an API also refuses other origins.
@UseGuards(DevtoolsEnabledGuard, DevtoolsAppGuard)
export class SubscriptionsController {
  private readonly logger = new Logger('DevtoolsModule');

  constructor(
    private readonly overview: SubscriptionsOverview,
    @Optional() private readonly manager?: SubscriptionManager,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', DEVTOOLS_CSP)
  @Header('X-Frame-Options', DEVTOOLS_FRAME_OPTIONS)
  page(): string {
    return SUBSCRIPTIONS_PAGE_HTML;
  }

  @Get('subscriptions.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(): string {
    return SUBSCRIPTIONS_VIEW_JS;
  }

  @Get('api/subscriptions')
  @UseGuards(DevtoolsSameOriginGuard)
  list(): Promise<SubscriptionsOverviewPage> {
    this.requireManager();
    return this.overview.overview();
  }

  /** Delivers each parked event of `name` again; the ones that succeed leave the parked list. */
  @Post('api/subscriptions/:name/replay-parked')
  @UseGuards(DevtoolsSameOriginGuard)
  @HttpCode(200)
  async replayParked(@Param('name') name: string): Promise<{ results: ParkedReplayResult[] }> {
    const manager = this.requireManager();
    const parked = await this.mapErrors(() => manager.listParked(name));
    const results: ParkedReplayResult[] = [];
    for (const event of parked) {
      try {
        await manager.replayParked(event.id);
        results.push({ id: event.id, position: event.position, replayed: true });
      } catch (error) {
        results.push({
          id: event.id,
          position: event.position,
          replayed: false,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    const done = results.filter((r) => r.replayed).map((r) => `${r.id}@${r.position}`);
    const failed = results.filter((r) => !r.replayed).map((r) => `${r.id}@${r.position}`);
    this.logger.log(
      `devtools: replayed parked events of "${name}": delivered and unparked [${done.join(', ')}]` +
        `; still parked [${failed.join(', ')}]`,
    );
    return { results };
  }

  /** Drops one parked event undelivered. */
  @Post('api/parked/:id/skip')
  @UseGuards(DevtoolsSameOriginGuard)
  @HttpCode(200)
  async skip(@Param('id') rawId: string): Promise<{ skipped: { id: number; position: number } }> {
    const manager = this.requireManager();
    const id = Number(rawId);
    if (!Number.isSafeInteger(id) || id < 1) {
      throw new BadRequestException(`parked event id must be a whole number >= 1, got "${rawId}"`);
    }
    const parked = await this.mapErrors(() => manager.skipParked(id));
    this.logger.log(
      `devtools: skipped parked event ${id} of "${parked.processor}": dropped undelivered ` +
        `(position ${parked.position}, ${parked.type} on ${parked.streamId}, error: ${parked.error})`,
    );
    return { skipped: { id, position: parked.position } };
  }

  /** Replays `name` from the start of the log; answers once caught up (or after 30 s, still rebuilding). */
  @Post('api/subscriptions/:name/rebuild')
  @UseGuards(DevtoolsSameOriginGuard)
  @HttpCode(200)
  async rebuild(@Param('name') name: string): Promise<{ name: string; caughtUp: boolean }> {
    const manager = this.requireManager();
    const before = (await manager.status()).find((s) => s.name === name);
    this.logger.log(
      `devtools: rebuilding "${name}": checkpoint ${before?.checkpoint ?? '?'} reset to 0`,
    );
    try {
      await this.mapErrors(() => manager.rebuild(name, { timeoutMs: REBUILD_WAIT_MS }));
    } catch (error) {
      if (isCelloError(error, 'wait-for-position-timeout')) return { name, caughtUp: false };
      throw error;
    }
    this.logger.log(`devtools: rebuilt "${name}" up to the head`);
    return { name, caughtUp: true };
  }

  private async mapErrors<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (
        isCelloError(error, 'subscriber-not-found') ||
        isCelloError(error, 'parked-event-not-found')
      ) {
        throw new NotFoundException((error as Error).message);
      }
      if (isCelloError(error, 'replay-disabled')) {
        throw new BadRequestException((error as Error).message);
      }
      throw error;
    }
  }

  private requireManager(): SubscriptionManager {
    if (!this.manager || !this.overview.available) {
      throw new NotFoundException('EventSourcingModule is not part of this app');
    }
    return this.manager;
  }
}
