import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { isCelloError } from '@cello/core';
import {
  NonRetryableError,
  Saga,
  SagaModule,
  SagaRunner,
  SagaStep,
  type SagaModuleOptions,
  type SagaStepExecution,
} from '@cello/saga';

interface TripContext {
  tripId: string;
  hotelId?: string;
  flightId?: string;
  carId?: string;
}

/** A fake booking service that records every call and can be told to fail. */
@Injectable()
class BookingService {
  readonly calls: string[] = [];
  readonly keys: string[] = [];
  failing = new Map<string, number>();
  slow = new Set<string>();

  async call(what: string, key: string): Promise<string> {
    this.calls.push(what);
    this.keys.push(key);
    if (this.slow.has(what)) await new Promise((r) => setTimeout(r, 1500));
    const left = this.failing.get(what) ?? 0;
    if (left > 0) {
      this.failing.set(what, left - 1);
      throw new Error(`${what} is down`);
    }
    if (left < 0) throw new NonRetryableError(`${what} refused`);
    return `${what}-id`;
  }
}

@Saga('book-trip')
@Injectable()
class BookTripSaga {
  constructor(private readonly booking: BookingService) {}

  @SagaStep({ compensate: 'cancelHotel' })
  async bookHotel({ context, idempotencyKey }: SagaStepExecution<TripContext>) {
    context.hotelId = await this.booking.call('hotel', idempotencyKey);
  }

  async cancelHotel({ idempotencyKey }: SagaStepExecution<TripContext>) {
    await this.booking.call('cancel-hotel', idempotencyKey);
  }

  @SagaStep({ compensate: 'cancelFlight', timeout: 0.5 })
  async bookFlight({ context, idempotencyKey }: SagaStepExecution<TripContext>) {
    context.flightId = await this.booking.call('flight', idempotencyKey);
  }

  async cancelFlight({ context, idempotencyKey }: SagaStepExecution<TripContext>) {
    await this.booking.call(`cancel-flight:${context.flightId}`, idempotencyKey);
  }

  @SagaStep({ name: 'book-car' })
  async bookCar({ context, idempotencyKey }: SagaStepExecution<TripContext>) {
    context.carId = await this.booking.call('car', idempotencyKey);
  }
}

async function boot(options: SagaModuleOptions = {}, providers: unknown[] = [BookTripSaga]) {
  const moduleRef = await Test.createTestingModule({
    imports: [SagaModule.forRoot({ retryDelay: 0.001, recovery: false, ...options })],
    providers: [BookingService, ...(providers as never[])],
  }).compile();
  const app = moduleRef.createNestApplication();
  await app.init();
  return { app, runner: app.get(SagaRunner), booking: app.get(BookingService) };
}

describe('SagaModule (memory storage)', () => {
  describe('when every step succeeds', () => {
    it('should run the steps in order, propagate the context and complete', async () => {
      // Given
      const { app, runner, booking } = await boot();
      // When
      const result = await runner.execute(BookTripSaga, { tripId: 't1' } as TripContext);
      // Then
      expect(result).toMatchObject({
        success: true,
        status: 'completed',
        stepsCompleted: ['bookHotel', 'bookFlight', 'book-car'],
        compensatedSteps: [],
        timedOut: false,
        context: { tripId: 't1', hotelId: 'hotel-id', flightId: 'flight-id', carId: 'car-id' },
      });
      expect(booking.calls).toEqual(['hotel', 'flight', 'car']);
      expect(booking.keys).toEqual([
        `${result.sagaId}:bookHotel`,
        `${result.sagaId}:bookFlight`,
        `${result.sagaId}:book-car`,
      ]);
      const status = await runner.getStatus(result.sagaId);
      expect(status.status).toBe('completed');
      expect(status.context).toMatchObject({ carId: 'car-id' });
      await app.close();
    });
  });

  describe('when the last step fails for good', () => {
    it('should compensate the completed steps in reverse order, each once', async () => {
      // Given
      const { app, runner, booking } = await boot();
      booking.failing.set('car', -1);
      // When
      const result = await runner.execute(BookTripSaga, { tripId: 't2' });
      // Then
      expect(result).toMatchObject({
        success: false,
        status: 'compensated',
        failedStep: 'book-car',
        stepsCompleted: ['bookHotel', 'bookFlight'],
        compensatedSteps: ['bookFlight', 'bookHotel'],
      });
      expect(booking.calls).toEqual([
        'hotel',
        'flight',
        'car',
        'cancel-flight:flight-id',
        'cancel-hotel',
      ]);
      expect(isCelloError(result.error, 'saga-step-failed')).toBe(true);
      expect(result.error?.message).toContain('car refused');
      expect(booking.keys.at(-1)).toBe(`${result.sagaId}:bookHotel:compensate`);
      await app.close();
    });
  });

  describe('when a step fails transiently', () => {
    it('should retry it with the same idempotency key and then succeed', async () => {
      // Given
      const { app, runner, booking } = await boot();
      booking.failing.set('hotel', 2);
      // When
      const result = await runner.execute(BookTripSaga, { tripId: 't3' });
      // Then
      expect(result.success).toBe(true);
      expect(booking.calls).toEqual(['hotel', 'hotel', 'hotel', 'flight', 'car']);
      expect(new Set(booking.keys.slice(0, 3)).size).toBe(1);
      expect((await runner.getStatus(result.sagaId)).steps[0].attempts).toBe(3);
      await app.close();
    });

    it('should give up after maxRetries', async () => {
      // Given
      const { app, runner, booking } = await boot({ maxRetries: 1 });
      booking.failing.set('flight', 5);
      // When
      const result = await runner.execute(BookTripSaga, { tripId: 't4' });
      // Then
      expect(result.status).toBe('compensated');
      expect(booking.calls).toEqual(['hotel', 'flight', 'flight', 'cancel-hotel']);
      await app.close();
    });
  });

  describe('when a step throws NonRetryableError', () => {
    it('should not retry it', async () => {
      // Given
      const { app, runner, booking } = await boot();
      booking.failing.set('hotel', -1);
      // When
      const result = await runner.execute(BookTripSaga, { tripId: 't5' });
      // Then
      expect(result).toMatchObject({
        status: 'compensated',
        failedStep: 'bookHotel',
        compensatedSteps: [],
      });
      expect(booking.calls).toEqual(['hotel']);
      await app.close();
    });
  });

  describe('when a step exceeds its own timeout', () => {
    it('should start no further step, compensate and end timed out', async () => {
      // Given
      const { app, runner, booking } = await boot();
      booking.slow.add('flight');
      // When
      const result = await runner.execute(BookTripSaga, { tripId: 't6' });
      // Then
      expect(result).toMatchObject({
        success: false,
        status: 'timed_out',
        timedOut: true,
        failedStep: 'bookFlight',
        compensatedSteps: ['bookHotel'],
      });
      expect(booking.calls).toEqual(['hotel', 'flight', 'cancel-hotel']);
      expect(isCelloError(result.error, 'saga-timeout')).toBe(true);
      await app.close();
    });
  });

  describe('when the whole saga exceeds its timeout', () => {
    it('should stop the running step, compensate and end timed out', async () => {
      // Given
      const { app, runner, booking } = await boot({ timeout: 1 });
      booking.slow.add('car');
      // When
      const result = await runner.execute(BookTripSaga, { tripId: 't7' });
      // Then
      expect(result).toMatchObject({
        status: 'timed_out',
        timedOut: true,
        failedStep: 'book-car',
        compensatedSteps: ['bookFlight', 'bookHotel'],
      });
      expect(booking.calls).toEqual([
        'hotel',
        'flight',
        'car',
        'cancel-flight:flight-id',
        'cancel-hotel',
      ]);
      await app.close();
    });
  });

  describe('when a compensation keeps failing', () => {
    it('should end compensation_failed naming saga, step and cause, and retry on request', async () => {
      // Given
      const { app, runner, booking } = await boot({ maxRetries: 1 });
      booking.failing.set('car', -1);
      booking.failing.set('cancel-hotel', 2);
      // When
      const result = await runner.execute(BookTripSaga, { tripId: 't8' });
      // Then
      expect(result.status).toBe('compensation_failed');
      expect(isCelloError(result.error, 'saga-compensation-failed')).toBe(true);
      expect(result.error?.message).toContain('book-trip');
      expect(result.error?.message).toContain('"bookHotel"');
      expect(result.error?.message).toContain('cancel-hotel is down');
      expect(await runner.list({ status: 'compensation_failed' })).toHaveLength(1);
      // When the operator retries
      const retried = await runner.retryCompensation(result.sagaId);
      // Then
      expect(retried.status).toBe('compensated');
      expect(booking.calls.filter((c) => c === 'cancel-hotel')).toHaveLength(3);
      expect(booking.calls.filter((c) => c.startsWith('cancel-flight'))).toHaveLength(1);
      await expect(runner.retryCompensation(result.sagaId)).rejects.toMatchObject({
        code: 'saga-invalid-state',
      });
      await app.close();
    });
  });

  describe('when a saga is started', () => {
    it('should return its id at once and report progress', async () => {
      // Given
      const { app, runner, booking } = await boot();
      booking.slow.add('hotel');
      // When
      const id = await runner.start(BookTripSaga, { tripId: 't9' });
      // Then
      expect((await runner.getStatus(id)).status).toBe('running');
      while ((await runner.getStatus(id)).status === 'running') {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await runner.getStatus(id)).status).toBe('completed');
      await expect(runner.getStatus('nope')).rejects.toMatchObject({ code: 'saga-not-found' });
      await app.close();
    });
  });

  describe('when steps declare order, their own retries and compensateOnFailure', () => {
    it('should follow them', async () => {
      // Given
      const calls: string[] = [];
      let failures = 0;
      @Saga('ordered')
      @Injectable()
      class OrderedSaga {
        @SagaStep({ order: 2, compensate: 'undoSecond', maxRetries: 0, compensateOnFailure: true })
        async second() {
          calls.push('second');
          failures += 1;
          throw new Error('second broke');
        }

        async undoSecond() {
          calls.push('undo second');
        }

        @SagaStep({ order: 1, compensate: 'undoFirst' })
        async first() {
          calls.push('first');
        }

        async undoFirst() {
          calls.push('undo first');
        }
      }
      const { app, runner } = await boot({ maxRetries: 5 }, [OrderedSaga]);
      // When
      const result = await runner.execute(OrderedSaga, {});
      // Then
      expect(failures).toBe(1);
      expect(calls).toEqual(['first', 'second', 'undo second', 'undo first']);
      expect(result).toMatchObject({
        status: 'compensated',
        failedStep: 'second',
        stepsCompleted: ['first'],
        compensatedSteps: ['second', 'first'],
      });
      await app.close();
    });
  });

  describe('when sagas are misconfigured', () => {
    it('should fail start-up on a step without action', async () => {
      class NoAction extends Saga {
        steps = [new SagaStep({ name: 'a', action: undefined as never })];
      }
      await expect(boot({ sagas: [NoAction] }, [])).rejects.toMatchObject({
        code: 'saga-invalid-definition',
      });
    });

    it('should fail start-up on duplicate step names', async () => {
      class Twice extends Saga {
        steps = [
          new SagaStep({ name: 'a', action: () => undefined }),
          new SagaStep({ name: 'a', action: () => undefined }),
        ];
      }
      await expect(boot({ sagas: [Twice] }, [])).rejects.toMatchObject({
        code: 'saga-duplicate-step',
      });
    });

    it('should fail start-up on a compensation method that does not exist', async () => {
      @Saga('broken')
      @Injectable()
      class Broken {
        @SagaStep({ compensate: 'undo' })
        async act() {}
      }
      await expect(boot({}, [Broken])).rejects.toMatchObject({ code: 'saga-invalid-definition' });
    });

    it('should refuse an unknown saga', async () => {
      @Saga('unregistered')
      @Injectable()
      class Unregistered {
        @SagaStep()
        async act() {}
      }
      const { app, runner } = await boot();
      await expect(runner.execute(Unregistered, {})).rejects.toMatchObject({
        code: 'saga-unknown',
      });
      await app.close();
    });

    it('should refuse a bad option', async () => {
      await expect(boot({ storage: 'redis://x' })).rejects.toMatchObject({
        code: 'saga-invalid-options',
      });
      await expect(boot({ retryDelay: -1 })).rejects.toMatchObject({
        code: 'saga-invalid-options',
      });
      await expect(boot({ storage: 'postgresql://u:secret@[bad' })).rejects.toMatchObject({
        code: 'saga-invalid-options',
        message: expect.not.stringContaining('secret'),
      });
    });

    it('should start without an unreachable database and fail saga calls fast until it is back', async () => {
      // Given: nothing listens on port 1
      const { app, runner } = await boot({ storage: 'postgresql://u:p@127.0.0.1:1/nowhere' });
      // When
      const error = await runner.getStatus('any').catch((e: unknown) => e);
      // Then
      expect(error).toMatchObject({ code: 'saga-storage-unavailable' });
      await app.close();
    });
  });
});
