import {
  BadRequestException,
  Controller,
  Get,
  Header,
  NotFoundException,
  Query,
  UseGuards,
} from '@nestjs/common';
import { DevtoolsEnabledGuard } from '../devtools-enabled.guard';
import { DEVTOOLS_CSP } from '../page/devtools-page';
import { EventBrowser } from './event-browser';
import type { EventPage } from './event-browser';
import { EVENTS_BROWSER_JS, EVENTS_PAGE_HTML } from './events-page';

const MAX_LIMIT = 500;

/** `/events`: the event browser page and its JSON API. */
@Controller('events')
@UseGuards(DevtoolsEnabledGuard)
export class EventsBrowserController {
  constructor(private readonly browser: EventBrowser) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', DEVTOOLS_CSP)
  page(): string {
    return EVENTS_PAGE_HTML;
  }

  @Get('browser.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(): string {
    return EVENTS_BROWSER_JS;
  }

  /** The global log newest first (`before`, `type`), or one stream in order (`stream`, `fromVersion`). */
  @Get('api/events')
  events(
    @Query('limit') limit?: string,
    @Query('before') before?: string,
    @Query('stream') stream?: string,
    @Query('type') type?: string,
    @Query('fromVersion') fromVersion?: string,
  ): Promise<EventPage> {
    if (!this.browser.available) {
      throw new NotFoundException('EventSourcingModule is not part of this app');
    }
    return this.browser.browse({
      limit: positiveInt('limit', limit, 50, MAX_LIMIT),
      before: before === undefined ? undefined : positiveInt('before', before, 1),
      fromVersion:
        fromVersion === undefined ? undefined : positiveInt('fromVersion', fromVersion, 1),
      streamId: stream === undefined || stream === '' ? undefined : stream,
      type: type === undefined || type === '' ? undefined : type,
    });
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
