import { redactSecrets } from '@cello/core';
import { DemoConfigError } from './demo-config-error';

/** The environment variables the demo reads. */
export type DemoEnvironment = Readonly<Record<string, string | undefined>>;

/** Saga retry and timeout settings handed to `SagaModule`. */
export interface DemoSagaSettings {
  /** Retries per step after the first attempt. */
  readonly maxRetries: number;
  /** Base of the exponential backoff, in seconds. */
  readonly retryDelaySeconds: number;
  /** Time allowed for a whole saga, in seconds. */
  readonly timeoutSeconds: number;
  /** Lease on a running saga, in seconds: how soon another process takes over a crashed one. Default: the module's (30). */
  readonly leaseTtlSeconds?: number;
  /** Seconds between scans for abandoned sagas. Default: the module's (5). */
  readonly recoveryIntervalSeconds?: number;
}

/**
 * The demo's configuration, read once from the environment by {@link DemoConfig.fromEnv}.
 * Tests build one with their own database URL and knobs instead of touching `process.env`.
 */
export class DemoConfig {
  /**
   * PostgreSQL or MySQL/MariaDB URL for events, saga state, read model and ledger;
   * undefined = embedded in-memory.
   */
  readonly databaseUrl: string | undefined;
  /**
   * Schema holding the read model tables. Default `demo_read`. On MySQL, where a schema is a
   * database, it prefixes the table name instead (`demo_read_orders` in the URL's database).
   */
  readonly readModelSchema: string;
  /** Schema holding the fake services' ledger (on MySQL, its table prefix: `demo_ledger`). Default `demo`. */
  readonly servicesSchema: string;
  /** HTTP port. Default 3000. */
  readonly port: number;
  /** How long each fake service call takes, in milliseconds. Default 0. */
  readonly stepDelayMs: number;
  /** Share (0 to 1) of fake service calls that fail with a retryable error before acting. Default 0. */
  readonly transientFailureRate: number;
  /** Source of randomness for transient failures (tests pass a scripted one). Default `Math.random`. */
  readonly random: () => number;
  /** Saga retries and timeout. Defaults: 3 retries, 0.2 s base delay, 300 s timeout. */
  readonly saga: DemoSagaSettings;
  /**
   * NATS server with JetStream: when set, `OrderShipped` is relayed to it (subject
   * `<relaySubjectPrefix>.OrderShipped`) for other services. Default unset: no relay.
   */
  readonly natsUrl: string | undefined;
  /** JetStream stream of the relay. Default `DEMO`. */
  readonly relayStream: string;
  /** Subject prefix of the relay. Default `demo`. */
  readonly relaySubjectPrefix: string;

  constructor(settings: Partial<DemoConfig> = {}) {
    this.databaseUrl = settings.databaseUrl;
    this.readModelSchema = settings.readModelSchema ?? 'demo_read';
    this.servicesSchema = settings.servicesSchema ?? 'demo';
    this.port = settings.port ?? 3000;
    this.stepDelayMs = settings.stepDelayMs ?? 0;
    this.transientFailureRate = settings.transientFailureRate ?? 0;
    this.random = settings.random ?? Math.random;
    this.saga = settings.saga ?? { maxRetries: 3, retryDelaySeconds: 0.2, timeoutSeconds: 300 };
    this.natsUrl = settings.natsUrl;
    this.relayStream = settings.relayStream ?? 'DEMO';
    this.relaySubjectPrefix = settings.relaySubjectPrefix ?? 'demo';
    if (this.databaseUrl !== undefined) checkDatabaseUrl(this.databaseUrl);
  }

  /**
   * Reads `DATABASE_URL`, `PORT`, `DEMO_STEP_DELAY_MS`, `DEMO_TRANSIENT_FAILURE_RATE` and `NATS_URL`;
   * `overrides` win over the environment. A value it cannot use fails with {@link DemoConfigError}.
   */
  static fromEnv(env: DemoEnvironment, overrides: Partial<DemoConfig> = {}): DemoConfig {
    const databaseUrl = env.DATABASE_URL?.trim() || undefined;
    return new DemoConfig({
      databaseUrl,
      port: readNumber(env, 'PORT', { integer: true, min: 0, max: 65535 }),
      stepDelayMs: readNumber(env, 'DEMO_STEP_DELAY_MS', { integer: true, min: 0 }),
      transientFailureRate: readNumber(env, 'DEMO_TRANSIENT_FAILURE_RATE', { min: 0, max: 1 }),
      natsUrl: env.NATS_URL?.trim() || undefined,
      ...overrides,
    });
  }

  /** True when events, sagas, read model and ledger live in PostgreSQL. */
  get usesPostgres(): boolean {
    return this.databaseUrl !== undefined && /^postgres(ql)?:/.test(this.databaseUrl);
  }

  /** True when everything lives in MySQL or MariaDB. */
  get usesMysql(): boolean {
    return this.databaseUrl !== undefined && /^(mysql|mariadb):/.test(this.databaseUrl);
  }

  /** The database URL without its user info or password parameters, for logs. */
  get redactedDatabaseUrl(): string | undefined {
    return this.databaseUrl === undefined ? undefined : redactSecrets(this.databaseUrl);
  }
}

function checkDatabaseUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DemoConfigError(
      'DATABASE_URL',
      `"${redactSecrets(value)}" is not a URL; expected postgres://...`,
    );
  }
  if (!['postgres:', 'postgresql:', 'mysql:', 'mariadb:'].includes(url.protocol)) {
    throw new DemoConfigError(
      'DATABASE_URL',
      `scheme "${url.protocol}" is not supported; use postgres://, postgresql:// or mysql://, ` +
        'or leave DATABASE_URL unset for the embedded in-memory store',
    );
  }
}

function readNumber(
  env: DemoEnvironment,
  name: string,
  rule: { integer?: boolean; min: number; max?: number },
): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  const ok =
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    value >= rule.min &&
    (rule.max === undefined || value <= rule.max);
  if (!ok) {
    const kind = rule.integer ? 'an integer' : 'a number';
    const range = rule.max === undefined ? `>= ${rule.min}` : `from ${rule.min} to ${rule.max}`;
    throw new DemoConfigError(name, `"${raw}" is not ${kind} ${range}`);
  }
  return value;
}
