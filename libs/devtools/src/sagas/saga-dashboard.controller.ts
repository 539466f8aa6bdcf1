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
import { DevtoolsEnabledGuard } from '../devtools-enabled.guard';
import { DEVTOOLS_CSP } from '../page/devtools-page';
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
@UseGuards(DevtoolsEnabledGuard)
export class SagaDashboardController {
  constructor(@Optional() private readonly runner?: SagaRunner) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', DEVTOOLS_CSP)
  page(): string {
    return SAGAS_PAGE_HTML;
  }

  @Get('dashboard.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(): string {
    return SAGAS_DASHBOARD_JS;
  }

  @Get('api/sagas')
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
    return { sagas };
  }

  @Get('api/sagas/:id')
  async one(@Param('id') id: string): Promise<SagaStatusView> {
    try {
      return await this.requireRunner().getStatus(id);
    } catch (error) {
      if (isCelloError(error, 'saga-not-found'))
        throw new NotFoundException((error as Error).message);
      throw error;
    }
  }

  /** Retries the compensations of a `compensation_failed` saga. */
  @Post('api/sagas/:id/retry')
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
