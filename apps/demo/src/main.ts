import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { DemoConfig } from './config/demo-config';

async function bootstrap(): Promise<void> {
  const config = DemoConfig.fromEnv(process.env);
  const app = await NestFactory.create(AppModule.forRoot(config));
  app.enableShutdownHooks();
  await app.listen(config.port);
  new Logger('Demo').log(`listening on http://localhost:${config.port}`);
}

void bootstrap();
