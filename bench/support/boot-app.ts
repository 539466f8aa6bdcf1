import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/** Boots a Nest application context with `imports`, without logging. */
export async function bootApp(imports: DynamicModule[]): Promise<INestApplicationContext> {
  @Module({ imports })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  await app.init();
  return app;
}
