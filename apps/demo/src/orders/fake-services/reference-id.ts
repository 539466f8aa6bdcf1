import { createHash } from 'node:crypto';

/** A stable id derived from an idempotency key, so a repeated call names the same thing. */
export function referenceId(prefix: string, idempotencyKey: string): string {
  return `${prefix}_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 20)}`;
}
