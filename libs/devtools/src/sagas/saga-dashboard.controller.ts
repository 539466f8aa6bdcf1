import {
  BadRequestException,
  Controller,
  Get,
  Header,
  HttpCode,
  NotFoundException,
  Optional,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { isCelloError } from '@cello/core';
import { SagaRunner } from '@cello/saga';
import type { SagaStatus, SagaStatusView } from '@cello/saga';
import { DevtoolsAppGuard } from '../access/devtools-app-guard';
import { DevtoolsEnabledGuard } from '../access/devtools-enabled.guard';
import { DevtoolsSameOriginGuard } from '../access/devtools-same-origin.guard';
import { DEVTOOLS_CSP, DEVTOOLS_FRAME_OPTIONS } from '../page/devtools-page';
import { DevtoolsRedactor } from '../redaction/devtools-redactor';
import { SAGA_DETAIL_JS, SAGA_DETAIL_PAGE_HTML } from './saga-detail-page';
import { SAGAS_DASHBOARD_JS, SAGAS_PAGE_HTML } from './sagas-page';

const STATUSES: readonly SagaStatus[] = [
  'running',
  'compensating',
  'completed',
  'compensated',
  'compensation_failed',
  'timed_out',
  'corrupt',
];

/** `/sagas`: the saga dashboard and its JSON API. */
@Controller('sagas')
// The app's guard runs on pages and APIs alike; an API also refuses other origins.
@UseGuards(DevtoolsEnabledGuard, DevtoolsAppGuard)
export class SagaDashboardController {
  constructor(
    private readonly redactor: DevtoolsRedactor,
    @Optional() private readonly runner?: SagaRunner,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', DEVTOOLS_CSP)
  @Header('X-Frame-Options', DEVTOOLS_FRAME_OPTIONS)
  page(): string {
    return SAGAS_PAGE_HTML;
  }

  @Get('dashboard.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(): string {
    return SAGAS_DASHBOARD_JS;
  }

  /** One saga's steps and attempt timeline: `/sagas/detail?id=`. */
  @Get('detail')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', DEVTOOLS_CSP)
  @Header('X-Frame-Options', DEVTOOLS_FRAME_OPTIONS)
  detail(): string {
    return SAGA_DETAIL_PAGE_HTML;
  }

  @Get('detail.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  detailScript(): string {
    return SAGA_DETAIL_JS;
  }

  @Get('api/sagas')
  @UseGuards(DevtoolsSameOriginGuard)
  async list(
    @Query('status') status?: string,
    @Query('limit') limit?: string,
  ): Promise<{ sagas: SagaStatusView[] }> {
    const runner = this.requireRunner();
    if (status && !STATUSES.includes(status as SagaStatus)) {
      throw new BadRequestException(
        `status must be one of ${STATUSES.join(', ')}, got "${status}"`,
      );
    }
    const max = Math.min(Math.max(Number(limit ?? 50) || 50, 1), 500);
    const sagas = await runner.list({
      status: (status || undefined) as SagaStatus | undefined,
      limit: max,
    });
    return { sagas: sagas.map((saga) => this.redactor.saga(saga)) };
  }

  @Get('api/sagas/:id')
  @UseGuards(DevtoolsSameOriginGuard)
  async one(@Param('id') id: string): Promise<SagaStatusView> {
    try {
      return this.redactor.saga(await this.requireRunner().getStatus(id));
    } catch (error) {
      if (isCelloError(error, 'saga-not-found'))
        throw new NotFoundException((error as Error).message);
      throw error;
    }
  }

  /** Retries the compensations of a `compensation_failed` saga; a JSON POST from this origin only. */
  @Post('api/sagas/:id/retry')
  @UseGuards(DevtoolsSameOriginGuard)
  @HttpCode(200)
  async retry(
    @Param('id') id: string,
  ): Promise<{ sagaId: string; status: string; error?: string }> {
    try {
      const result = await this.requireRunner().retryCompensation(id);
      return { sagaId: result.sagaId, status: result.status, error: result.error?.message };
    } catch (error) {
      if (isCelloError(error, 'saga-not-found'))
        throw new NotFoundException((error as Error).message);
      if (isCelloError(error)) throw new BadRequestException((error as Error).message);
      throw error;
    }
  }

  private requireRunner(): SagaRunner {
    if (!this.runner) throw new NotFoundException('SagaModule is not part of this app');
    return this.runner;
  }
}
