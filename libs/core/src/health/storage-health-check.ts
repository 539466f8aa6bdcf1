import type { HealthIndicatorResult } from '@nestjs/terminus';
import { redactSecrets } from '../redaction/redact-secrets';

/** Default time a health check waits for its storage, in milliseconds. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 1000;

/**
 * Runs `ping` against a storage and reports Terminus's `up`/`down` result
 * under `key`. A storage that fails or does not answer within `timeoutMs` is
 * `down` with the reason; it never throws, so `/health` answers 503 rather
 * than 500 (and never hangs on a dead connection).
 */
export async function checkStorageHealth<Key extends string>(
  key: Key,
  ping: () => Promise<unknown>,
  timeoutMs = DEFAULT_HEALTH_TIMEOUT_MS,
): Promise<HealthIndicatorResult<Key>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([ping(), timeout]);
    return { [key]: { status: 'up' } } as unknown as HealthIndicatorResult<Key>;
  } catch (error) {
    const message = (error as { message?: unknown })?.message;
    return {
      // A driver's message may quote the connection URL.
      [key]: {
        status: 'down',
        message: redactSecrets(typeof message === 'string' ? message : String(error)),
      },
    } as unknown as HealthIndicatorResult<Key>;
  } finally {
    clearTimeout(timer);
  }
}
