import { Inject, Injectable, Scope } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { isCelloError } from '@cello/core';
import { Saga } from '@cello/saga/decorators/saga.decorator';
import { SagaStep } from '@cello/saga/decorators/saga-step.decorator';
import { InvalidSagaDefinitionError } from '@cello/saga/errors/invalid-saga-definition.error';
import { SagaModule } from '@cello/saga/saga.module';

async function startError(providers: unknown[]): Promise<unknown> {
  const moduleRef = await Test.createTestingModule({
    imports: [SagaModule.forRoot({ recovery: false })],
    providers: providers as never[],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  return app.init().then(
    async () => {
      await app.close();
      return new Error('expected start-up to fail, but it succeeded');
    },
    (error: unknown) => error,
  );
}

describe('SagaExplorer', () => {
  describe('when a saga provider is request-scoped', () => {
    it('should fail start-up saying a saga must be a singleton', async () => {
      // Given
      @Saga('refund-order')
      @Injectable({ scope: Scope.REQUEST })
      class RefundSaga {
        @SagaStep()
        async refund(): Promise<void> {}
      }

      // When
      const error = await startError([RefundSaga]);

      // Then
      expect(isCelloError(error, InvalidSagaDefinitionError.code)).toBe(true);
      expect((error as Error).message).toContain('"refund-order"');
      expect((error as Error).message).toContain('Make it a singleton');
    });

    it('should fail start-up when only a dependency is request-scoped', async () => {
      // Given
      @Injectable({ scope: Scope.REQUEST })
      class CurrentUser {
        constructor(@Inject(REQUEST) readonly request: unknown) {}
      }
      @Saga('notify-user')
      @Injectable()
      class NotifySaga {
        constructor(readonly user: CurrentUser) {}
        @SagaStep()
        async notify(): Promise<void> {}
      }

      // When
      const error = await startError([CurrentUser, NotifySaga]);

      // Then
      expect(isCelloError(error, InvalidSagaDefinitionError.code)).toBe(true);
      expect((error as Error).message).toContain('request-scoped dependency');
    });
  });
});
