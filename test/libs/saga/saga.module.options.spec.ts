import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { CelloMetricsModule } from '@cello/core';
import {
  Saga,
  SagaModule,
  SagaRunner,
  SagaStep,
  SagaStorageHealthIndicator,
  type SagaModuleOptions,
  type SagaOptionsFactory,
} from '@cello/saga';

class PingSaga extends Saga {
  steps = [
    new SagaStep({ name: 'ping', action: () => undefined, compensate: () => undefined }),
    new SagaStep({
      name: 'pong',
      action: ({ context }) => {
        if ((context as { fail?: boolean }).fail) throw new Error('no pong');
      },
    }),
  ];
}

@Injectable()
class SagaConfig implements SagaOptionsFactory {
  createSagaOptions(): SagaModuleOptions {
    return { retryDelay: 0, maxRetries: 0, recovery: false, sagas: [PingSaga] };
  }
}

@Module({ providers: [SagaConfig], exports: [SagaConfig] })
class ConfigModule {}

describe('SagaModule options, metrics and health', () => {
  describe('when configured with forRootAsync and a factory class', () => {
    it('should run the sagas the factory lists', async () => {
      // Given
      const moduleRef = await Test.createTestingModule({
        imports: [SagaModule.forRootAsync({ imports: [ConfigModule], useExisting: SagaConfig })],
      }).compile();
      const app = await moduleRef.createNestApplication().init();
      // When
      const result = await app.get(SagaRunner).execute(PingSaga, {});
      // Then
      expect(result.success).toBe(true);
      await app.close();
    });

    it('should accept a useFactory with injected dependencies', async () => {
      // Given
      const moduleRef = await Test.createTestingModule({
        imports: [
          SagaModule.forRootAsync({
            imports: [ConfigModule],
            inject: [SagaConfig],
            useFactory: (config: SagaConfig) => config.createSagaOptions(),
          }),
        ],
      }).compile();
      const app = await moduleRef.createNestApplication().init();
      // When
      const result = await app.get(SagaRunner).execute(PingSaga, { fail: true });
      // Then
      expect(result).toMatchObject({ status: 'compensated', compensatedSteps: ['ping'] });
      await app.close();
    });
  });

  describe('when CelloMetricsModule is imported', () => {
    it('should count executions by outcome, steps and compensations', async () => {
      // Given
      const registry = new Registry();
      const moduleRef = await Test.createTestingModule({
        imports: [
          CelloMetricsModule.forRoot({ registry }),
          SagaModule.forRoot({ retryDelay: 0, maxRetries: 0, recovery: false, sagas: [PingSaga] }),
        ],
      }).compile();
      const app = await moduleRef.createNestApplication().init();
      const runner = app.get(SagaRunner);
      // When
      await runner.execute(PingSaga, {});
      await runner.execute(PingSaga, { fail: true });
      // Then
      const text = await registry.metrics();
      expect(text).toContain('cello_saga_executions_total{saga="PingSaga",outcome="completed"} 1');
      expect(text).toContain(
        'cello_saga_executions_total{saga="PingSaga",outcome="compensated"} 1',
      );
      expect(text).toContain('cello_saga_steps_completed_total{saga="PingSaga",step="ping"} 2');
      expect(text).toContain('cello_saga_compensations_total{saga="PingSaga",step="ping"} 1');
      expect(text).toContain('cello_sagas_in_flight{saga="PingSaga"} 0');
      await app.close();
    });
  });

  describe('when the health of the saga storage is checked', () => {
    it('should report up', async () => {
      // Given
      const moduleRef = await Test.createTestingModule({
        imports: [SagaModule.forRoot({ recovery: false })],
      }).compile();
      const app = await moduleRef.createNestApplication().init();
      // When
      const health = await app.get(SagaStorageHealthIndicator).isHealthy();
      // Then
      expect(health).toEqual({ sagaStorage: { status: 'up' } });
      await app.close();
    });
  });
});
