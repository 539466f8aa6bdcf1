import { isCelloError } from '@cello/core';
import { SagaMachine } from './saga-machine';

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
});
