import { Saga, SagaStep, type SagaStepExecution } from '@cello/saga';
import { runSagaForTest } from '@cello/saga/testing';

interface Ctx {
  order: string;
  reserved?: boolean;
}

class CheckoutSaga extends Saga {
  steps = [
    new SagaStep<Ctx>({
      name: 'reserve',
      action: ({ context }) => {
        context.reserved = true;
      },
      compensate: () => undefined,
    }),
    new SagaStep<Ctx>({ name: 'charge', action: () => undefined, compensate: () => undefined }),
    new SagaStep<Ctx>({ name: 'ship', action: () => undefined }),
  ];
}

class FakeMailer {
  readonly sent: string[] = [];
  send(to: string) {
    this.sent.push(to);
  }
}

@Saga('welcome')
class WelcomeSaga {
  constructor(private readonly mailer: FakeMailer) {}

  @SagaStep({ compensate: 'apologise' })
  greet({ context }: SagaStepExecution<{ user: string }>) {
    this.mailer.send(context.user);
  }

  apologise({ context }: SagaStepExecution<{ user: string }>) {
    this.mailer.send(`sorry ${context.user}`);
  }

  @SagaStep()
  activate() {}
}

describe('runSagaForTest', () => {
  describe('when given a decorated saga built with fake services', () => {
    it('should run its steps on the fakes', async () => {
      // Given
      const mailer = new FakeMailer();
      // When
      const run = await runSagaForTest(
        new WelcomeSaga(mailer),
        { user: 'ann' },
        { failAt: 'activate' },
      );
      // Then
      expect(run.result.compensatedSteps).toEqual(['greet']);
      expect(mailer.sent).toEqual(['ann', 'sorry ann']);
    });
  });

  describe('when no failure is injected', () => {
    it('should run the real steps and complete', async () => {
      // When
      const run = await runSagaForTest(CheckoutSaga, { order: 'o1' } as Ctx);
      // Then
      expect(run.result.success).toBe(true);
      expect(run.result.context.reserved).toBe(true);
      expect(run.actions).toEqual(['reserve', 'charge', 'ship']);
      expect(run.compensations).toEqual([]);
    });
  });

  describe('when a failure is injected at a chosen step', () => {
    it('should show the compensations of the completed steps, in reverse', async () => {
      // When
      const run = await runSagaForTest(CheckoutSaga, { order: 'o2' }, { failAt: 'ship' });
      // Then
      expect(run.result).toMatchObject({ status: 'compensated', failedStep: 'ship' });
      expect(run.calls).toEqual([
        'reserve',
        'charge',
        'ship',
        'compensate:charge',
        'compensate:reserve',
      ]);
    });

    it('should retry a transient failure with fake steps', async () => {
      // When
      const run = await runSagaForTest(
        CheckoutSaga,
        { order: 'o3' },
        { fakeSteps: true, failAt: 'charge', failTimes: 2 },
      );
      // Then
      expect(run.result.success).toBe(true);
      expect(run.result.context).toEqual({ order: 'o3' });
      expect(run.actions).toEqual(['reserve', 'charge', 'charge', 'charge', 'ship']);
    });

    it('should leave the saga compensation_failed when a compensation fails', async () => {
      // When
      const run = await runSagaForTest(
        CheckoutSaga,
        { order: 'o4' },
        { failAt: 'ship', failCompensationOf: 'reserve', options: { maxRetries: 0 } },
      );
      // Then
      expect(run.result.status).toBe('compensation_failed');
      expect(run.compensations).toEqual(['charge', 'reserve']);
      expect((await run.runner.getStatus(run.result.sagaId)).status).toBe('compensation_failed');
    });
  });
});
