import { isCelloError } from '@cello/core';
import { SagaMachine } from '@cello/saga/machine/saga-machine';
import { SagaMachineHandle } from '@cello/saga/machine/saga-machine-handle';

const definition = {
  steps: [{ name: 'a', maxRetries: 1, hasCompensation: true, compensateOnFailure: false }],
  retryBaseMs: 100,
  retryCapMs: 1000,
  timeoutMs: null,
};

describe('SagaMachine (Rust binding)', () => {
  describe('when a saga starts', () => {
    it('should say to run the first step, and persist what is in flight', () => {
      // When
      const t = SagaMachine.transition(SagaMachine.init(definition), { type: 'start', nowMs: 5 });
      // Then
      expect(t.commands).toEqual([{ type: 'run_step', index: 0, attempt: 1, delayMs: 0 }]);
      expect(t.state).toMatchObject({ status: 'running', startedAtMs: 5, inFlight: t.commands[0] });
    });
  });

  describe('when an event does not fit the state', () => {
    it('should throw a coded error', () => {
      // Given
      const state = SagaMachine.init(definition);
      // When
      let error: unknown;
      try {
        SagaMachine.transition(state, { type: 'compensation_succeeded', index: 0 });
      } catch (caught) {
        error = caught;
      }
      // Then
      expect(isCelloError(error, 'saga-unexpected-event')).toBe(true);
    });

    it('should refuse a definition without steps', () => {
      expect(() => SagaMachine.init({ ...definition, steps: [] })).toThrow(
        expect.objectContaining({ code: 'saga-invalid-definition' }),
      );
    });
  });

  describe('when a stored state is corrupt', () => {
    it('should refuse it with saga-corrupt-state naming what is wrong, never a crash', () => {
      // Given a state whose step in flight is past the last step (a hand-edited row)
      const started = SagaMachine.transition(SagaMachine.init(definition), {
        type: 'start',
        nowMs: 5,
      }).state;
      const corrupt = {
        ...started,
        inFlight: { type: 'run_step', index: 7, attempt: 1, delayMs: 0 },
      };

      // When it is resumed, or a transition is applied to it
      const resume = () => SagaMachineHandle.fromStateJson(JSON.stringify(corrupt));
      const step = () =>
        SagaMachine.transition(corrupt as typeof started, { type: 'recover', nowMs: 6, seed: 1 });

      // Then both are refused with a coded error
      for (const attempt of [resume, step]) {
        expect(attempt).toThrow(
          expect.objectContaining({
            code: 'saga-corrupt-state',
            message: expect.stringMatching(/step #7, out of range/),
          }),
        );
      }
    });
  });
});
