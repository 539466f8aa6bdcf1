import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NotifierConfig } from './notifier-config';
import { NotifierModule } from './notifier.module';

async function bootstrap(): Promise<void> {
  const config = NotifierConfig.fromEnv(process.env);
  const app = await NestFactory.create(NotifierModule.forRoot(config));
  app.enableShutdownHooks();
  await app.listen(config.port);
  const { port } = app.getHttpServer().address() as { port: number };
  new Logger('Notifier').log(
    `listening on http://localhost:${port}; OrderShipped from stream "${config.stream}" of NATS`,
  );
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `Notifier failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
