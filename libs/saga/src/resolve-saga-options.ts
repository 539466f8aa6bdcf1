import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidSagaOptionsError } from './errors/invalid-saga-options.error';
import type { ResolvedSagaOptions, SagaModuleOptions } from './saga-module-options';

function seconds(
  options: SagaModuleOptions,
  key: keyof SagaModuleOptions,
  fallback: number,
): number {
  const value = options[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidSagaOptionsError(
      key,
      `must be a number of seconds >= 0, got ${String(value)}.`,
    );
  }
  return Math.round(value * 1000);
}

/** Applies defaults and checks types; throws `InvalidSagaOptionsError` naming the bad option. */
export function resolveSagaOptions(options: SagaModuleOptions): ResolvedSagaOptions {
  const maxRetries = options.maxRetries ?? 3;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new InvalidSagaOptionsError('maxRetries', `must be an integer >= 0, got ${maxRetries}.`);
  }
  const recoveryBatchSize = options.recoveryBatchSize ?? 20;
  if (!Number.isInteger(recoveryBatchSize) || recoveryBatchSize < 1) {
    throw new InvalidSagaOptionsError(
      'recoveryBatchSize',
      `must be an integer >= 1, got ${recoveryBatchSize}.`,
    );
  }
  const leaseTtlMs = seconds(options, 'leaseTtl', 30);
  if (leaseTtlMs < 100) {
    throw new InvalidSagaOptionsError('leaseTtl', 'must be at least 0.1 seconds.');
  }
  return {
    maxRetries,
    retryDelayMs: seconds(options, 'retryDelay', 5),
    maxRetryDelayMs: seconds(options, 'maxRetryDelay', 60),
    timeoutMs: seconds(options, 'timeout', 300),
    instanceId:
      options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    leaseTtlMs,
    recoveryIntervalMs: seconds(options, 'recoveryInterval', 5),
    recovery: options.recovery ?? true,
    recoveryBatchSize,
  };
}
