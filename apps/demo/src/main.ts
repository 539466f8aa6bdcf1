import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RedactingConsoleLogger, redactSecrets } from '@cello/core';
import { AppModule } from './app.module';
import { DemoConfig } from './config/demo-config';

async function bootstrap(): Promise<void> {
  const config = DemoConfig.fromEnv(process.env);
  // Every log line goes through redactSecrets: a driver error may quote DATABASE_URL.
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: new RedactingConsoleLogger(),
  });
  app.enableShutdownHooks();
  await app.listen(config.port);
  const { port } = app.getHttpServer().address() as { port: number };
  new Logger('Demo').log(`listening on http://localhost:${port}`);
}

bootstrap().catch((error: unknown) => {
  // Printed by hand: Node's own report of an unhandled rejection would show the
  // error's properties (a URL parse error keeps the whole URL in `input`).
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`Demo failed to start: ${redactSecrets(text)}\n`);
  process.exit(1);
});
