/** Raised when an environment variable of the notifier cannot be used. */
export class NotifierConfigError extends Error {
  readonly code = 'notifier-config';

  constructor(variable: string, reason: string) {
    super(`${variable}: ${reason}`);
    this.name = 'NotifierConfigError';
  }
}

/** The notifier's configuration, from the environment. */
export class NotifierConfig {
  /** NATS server with JetStream, where the demo relays its events. Required. */
  readonly natsUrl: string;
  /** The notifier's own PostgreSQL (notifications, inbox). Required. */
  readonly databaseUrl: string;
  /** JetStream stream of the demo's relay. Default `DEMO`. */
  readonly stream: string;
  /** Subject prefix of the demo's relay. Default `demo`. */
  readonly subjectPrefix: string;
  /** HTTP port. Default 3001. */
  readonly port: number;

  constructor(settings: Partial<NotifierConfig> & Pick<NotifierConfig, 'natsUrl' | 'databaseUrl'>) {
    this.natsUrl = settings.natsUrl;
    this.databaseUrl = settings.databaseUrl;
    this.stream = settings.stream ?? 'DEMO';
    this.subjectPrefix = settings.subjectPrefix ?? 'demo';
    this.port = settings.port ?? 3001;
  }

  /** Reads NATS_URL, DATABASE_URL and PORT. */
  static fromEnv(env: Record<string, string | undefined>): NotifierConfig {
    const natsUrl = env.NATS_URL?.trim();
    if (!natsUrl)
      throw new NotifierConfigError('NATS_URL', 'set it to the NATS server of the demo');
    const databaseUrl = env.DATABASE_URL?.trim();
    if (!databaseUrl || !/^postgres(ql)?:/.test(databaseUrl)) {
      throw new NotifierConfigError('DATABASE_URL', 'set it to a postgres:// URL');
    }
    const port = env.PORT?.trim() ? Number(env.PORT) : undefined;
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
      throw new NotifierConfigError('PORT', `"${env.PORT}" is not an integer from 0 to 65535`);
    }
    return new NotifierConfig({ natsUrl, databaseUrl, port });
  }
}
