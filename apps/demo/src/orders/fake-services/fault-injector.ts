import { Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DemoConfig } from '../../config/demo-config';
import type { LedgerService } from './ledger-entry';
import { TransientServiceError } from './transient-service.error';

/**
 * Makes the fake services behave like remote ones: each call takes
 * `DEMO_STEP_DELAY_MS`, and a `DEMO_TRANSIENT_FAILURE_RATE` share of calls fail
 * with a retryable error before they do anything.
 */
@Injectable()
export class FaultInjector {
  private readonly logger = new Logger('FakeServices');
  private failures = 0;

  constructor(private readonly config: DemoConfig) {}

  /** Calls that failed transiently since start-up. */
  get transientFailures(): number {
    return this.failures;
  }

  /** Waits the configured delay, then fails the call transiently or lets it proceed. */
  async beforeCall(service: LedgerService, operation: string): Promise<void> {
    if (this.config.stepDelayMs > 0) await sleep(this.config.stepDelayMs);
    const rate = this.config.transientFailureRate;
    if (rate > 0 && this.config.random() < rate) {
      this.failures += 1;
      this.logger.warn(`${service}.${operation}: injected transient failure`);
      throw new TransientServiceError(service, operation);
    }
  }
}
