import { ConsoleLogger } from '@nestjs/common';
import type { LogLevel } from '@nestjs/common';
import { redactSecrets } from './redact-secrets';

/**
 * Nest's console logger with {@link redactSecrets} applied to every line and
 * stack it prints, so a driver or framework message that quotes a connection
 * URL never puts its password in the log:
 * `NestFactory.create(AppModule, { logger: new RedactingConsoleLogger() })`.
 */
export class RedactingConsoleLogger extends ConsoleLogger {
  /** Nest's formatted line, with secrets redacted. */
  protected override formatMessage(
    logLevel: LogLevel,
    message: unknown,
    pidMessage: string,
    formattedLogLevel: string,
    contextMessage: string,
    timestampDiff: string,
  ): string {
    return redactSecrets(
      super.formatMessage(
        logLevel,
        message,
        pidMessage,
        formattedLogLevel,
        contextMessage,
        timestampDiff,
      ),
    );
  }

  /** Prints the stack with secrets redacted. */
  protected override printStackTrace(stack: string): void {
    super.printStackTrace(redactSecrets(stack));
  }
}
