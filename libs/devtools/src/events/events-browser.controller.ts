import {
  BadRequestException,
  Controller,
  Get,
  Header,
  NotFoundException,
  Query,
  UseGuards,
} from '@nestjs/common';
import { DevtoolsAppGuard } from '../access/devtools-app-guard';
import { DevtoolsEnabledGuard } from '../access/devtools-enabled.guard';
import { DevtoolsSameOriginGuard } from '../access/devtools-same-origin.guard';
import { DEVTOOLS_CSP, DEVTOOLS_FRAME_OPTIONS } from '../page/devtools-page';
import { DevtoolsRedactor } from '../redaction/devtools-redactor';
import { EventBrowser } from './event-browser';
import type { EventPage } from './event-browser';
import { EVENTS_BROWSER_JS, EVENTS_PAGE_HTML } from './events-page';

const MAX_LIMIT = 500;

/** `/events`: the event browser page and its JSON API. */
@Controller('events')
// The app's guard runs on pages and APIs alike; an API also refuses other origins.
@UseGuards(DevtoolsEnabledGuard, DevtoolsAppGuard)
export class EventsBrowserController {
  constructor(
    private readonly browser: EventBrowser,
    private readonly redactor: DevtoolsRedactor,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', DEVTOOLS_CSP)
  @Header('X-Frame-Options', DEVTOOLS_FRAME_OPTIONS)
  page(): string {
    return EVENTS_PAGE_HTML;
  }

  @Get('browser.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(): string {
    return EVENTS_BROWSER_JS;
  }

  /** The global log newest first (`before`, `type`, `correlationId`), or one stream in order (`stream`, `fromVersion`). */
  @Get('api/events')
  @UseGuards(DevtoolsSameOriginGuard)
  async events(
    @Query('limit') limit?: string,
    @Query('before') before?: string,
    @Query('stream') stream?: string,
    @Query('type') type?: string,
    @Query('fromVersion') fromVersion?: string,
    @Query('correlationId') correlationId?: string,
  ): Promise<EventPage> {
    if (!this.browser.available) {
      throw new NotFoundException('EventSourcingModule is not part of this app');
    }
    const page = await this.browser.browse({
      limit: positiveInt('limit', limit, 50, MAX_LIMIT),
      before: before === undefined ? undefined : positiveInt('before', before, 1),
      fromVersion:
        fromVersion === undefined ? undefined : positiveInt('fromVersion', fromVersion, 1),
      streamId: stream === undefined || stream === '' ? undefined : stream,
      type: type === undefined || type === '' ? undefined : type,
      correlationId:
        correlationId === undefined || correlationId === '' ? undefined : correlationId,
    });
    return { ...page, events: page.events.map((event) => this.redactor.event(event)) };
  }
}

function positiveInt(
  name: string,
  raw: string | undefined,
  fallback: number,
  max?: number,
): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new BadRequestException(`${name} must be a positive integer, got "${raw}"`);
  }
  return max === undefined ? value : Math.min(value, max);
}
