// Work a request causes later, in the background: a saga started by a subscriber
// (its own trace, linked to the append of the event that started it) and a batch
// subscriber's call (a span linked to each event's append). Both carry the
// request's correlation id on to what they dispatch.
import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  Event,
  EventBatchHandler,
  EventHandler,
  EventSourcingModule,
  EventStore,
  EventSubscriber,
  EventType,
  type EventBatch,
} from '@cello/event-sourcing';
import { MemoryEventStorage } from '@cello/event-sourcing/store/memory/memory-event-storage';
import { Saga, SagaModule, SagaRunner, SagaStep, type SagaStepExecution } from '@cello/saga';
import { CommandBus } from '@cello/cqrs/command-bus';
import { CqrsModule } from '@cello/cqrs/cqrs.module';
import { CommandHandler } from '@cello/cqrs/decorators/command-handler.decorator';
import type { ICommandHandler } from '@cello/cqrs/handlers/message-handler';
import { Command } from '@cello/cqrs/message/command';
import { eventually } from '../support/eventually';

@EventType('background-tracing.Placed')
class Placed extends Event {
  constructor(readonly orderId: string) {
    super();
  }
}

@EventType('background-tracing.Noted')
class Noted extends Event {
  constructor(readonly note: string) {
    super();
  }
}

class PlaceCommand extends Command<void> {
  constructor(readonly orderId: string) {
    super();
  }
}

class NoteCommand extends Command<void> {
  constructor(
    readonly streamId: string,
    readonly note: string,
  ) {
    super();
  }
}

@CommandHandler(PlaceCommand)
class PlaceHandler implements ICommandHandler<PlaceCommand> {
  constructor(private readonly events: EventStore) {}

  async execute(command: PlaceCommand): Promise<void> {
    await this.events.append(`order-${command.orderId}`, new Placed(command.orderId));
  }
}

@CommandHandler(NoteCommand)
class NoteHandler implements ICommandHandler<NoteCommand> {
  constructor(private readonly events: EventStore) {}

  async execute(command: NoteCommand): Promise<void> {
    await this.events.append(command.streamId, new Noted(command.note));
  }
}

@Saga('TracedShippingSaga')
@Injectable()
class ShippingSaga {
  constructor(private readonly commands: CommandBus) {}

  @SagaStep({ name: 'ship' })
  async ship({ context }: SagaStepExecution<{ orderId: string }>): Promise<void> {
    await this.commands.dispatch(new NoteCommand(`shipped-${context.orderId}`, 'shipped'));
  }
}

/** Starts the saga from the event, in the background (start, not execute). */
@Injectable()
@EventSubscriber({ name: 'shipping-starter' })
class ShippingStarter {
  constructor(private readonly sagas: SagaRunner) {}

  @EventHandler(Placed)
  async placed(event: Placed): Promise<void> {
    if (event.orderId.startsWith('saga-')) {
      await this.sagas.start(ShippingSaga, { orderId: event.orderId });
    }
  }
}

/** A batch subscriber that dispatches one command per call. */
@Injectable()
@EventSubscriber({ name: 'placed-digest', batchSize: 50 })
class PlacedDigest {
  constructor(private readonly commands: CommandBus) {}

  @EventBatchHandler(Placed)
  async digest(batch: EventBatch<Placed>): Promise<void> {
    const ids = batch.map((item) => item.event.orderId);
    if (!ids[0].startsWith('batch-')) return;
    await this.commands.dispatch(new NoteCommand(`digest-${ids.join('+')}`, ids.join('+')));
  }
}

const exporter = new InMemorySpanExporter();

function span(name: string, where: (s: ReadableSpan) => boolean = () => true): ReadableSpan {
  const found = exporter.getFinishedSpans().find((s) => s.name === name && where(s));
  if (!found) throw new Error(`no span "${name}" yet`);
  return found;
}

describe('background work traced with OpenTelemetry (in-memory exporter)', () => {
  let app: INestApplication;
  let commands: CommandBus;
  let store: EventStore;

  beforeAll(async () => {
    // The SDK is registered before the app starts, as OpenTelemetry asks.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventSourcingModule.forRoot({
          storage: new MemoryEventStorage(),
          events: [Placed, Noted],
          subscriptions: { autoStart: true, pollIntervalMs: 20 },
        }),
        CqrsModule.forRoot(),
        SagaModule.forRoot({ retryDelay: 0.001, recovery: false }),
      ],
      providers: [PlaceHandler, NoteHandler, ShippingSaga, ShippingStarter, PlacedDigest],
    }).compile();
    app = await moduleRef.createNestApplication({ logger: false }).init();
    commands = app.get(CommandBus);
    store = app.get(EventStore);
  });

  afterAll(async () => {
    await app?.close();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  const place = (orderId: string, correlationId: string) =>
    commands.dispatch(new PlaceCommand(orderId), {
      request: { headers: { 'x-correlation-id': correlationId } },
    });

  describe('when a subscriber starts a saga in the background', () => {
    it("should trace the saga as its own trace, linked to the event's append, in the request's correlation", async () => {
      // When
      await place('saga-1', 'request-saga-1');

      // Then: the step's command appended in the request's correlation
      const [noted] = await eventually(async () => {
        const read = await store.readStream('shipped-saga-1');
        expect(read).toHaveLength(1);
        return read;
      }, 20_000);
      expect(noted.metadata.correlationId).toBe('request-saga-1');

      // And the saga is a trace of its own, linked to the append of the event that started it
      const isOrder = (s: ReadableSpan) => s.attributes['cello.stream.id'] === 'order-saga-1';
      const append = span('append', isOrder);
      const saga = await eventually(async () => span('saga TracedShippingSaga'), 20_000);
      const process = span('process background-tracing.Placed', isOrder);
      expect(saga.parentSpanContext).toBeUndefined();
      expect(saga.spanContext().traceId).not.toBe(append.spanContext().traceId);
      expect(saga.spanContext().traceId).not.toBe(process.spanContext().traceId);
      expect(saga.links.map((l) => l.context.spanId)).toEqual([append.spanContext().spanId]);
      expect(saga.attributes).toMatchObject({
        'cello.saga.name': 'TracedShippingSaga',
        'cello.saga.operation': 'run',
      });
      const step = span('saga step TracedShippingSaga.ship');
      expect(step.spanContext().traceId).toBe(saga.spanContext().traceId);
      expect(step.parentSpanContext?.spanId).toBe(saga.spanContext().spanId);
    });
  });

  describe('when a batch subscriber handles events of one request', () => {
    it("should trace the call linked to each event's append and carry the request's correlation id", async () => {
      // Given
      exporter.reset();

      // When
      await Promise.all([place('batch-1', 'request-batch'), place('batch-2', 'request-batch')]);

      // Then: what the calls dispatched carries the request's correlation id
      const notes = await eventually(async () => {
        const found = (await store.readAll({})).filter((e) =>
          e.streamId.startsWith('digest-batch-'),
        );
        expect(
          found
            .map((e) => (e.event as Noted).note)
            .join('+')
            .split('+')
            .sort(),
        ).toEqual(['batch-1', 'batch-2']);
        return found;
      }, 20_000);
      expect(notes.map((e) => e.metadata.correlationId)).toEqual(notes.map(() => 'request-batch'));

      // And each call's span links to the appends of its events
      const appends = exporter
        .getFinishedSpans()
        .filter(
          (s) =>
            s.name === 'append' &&
            String(s.attributes['cello.stream.id']).startsWith('order-batch-'),
        );
      expect(appends).toHaveLength(2);
      const calls = await eventually(async () => {
        const found = exporter
          .getFinishedSpans()
          .filter((s) => s.name === 'process batch placed-digest');
        expect(found.flatMap((call) => call.links)).toHaveLength(2);
        return found;
      }, 20_000);
      const linked = calls.flatMap((call) => call.links.map((l) => l.context.spanId)).sort();
      expect(linked).toEqual(appends.map((s) => s.spanContext().spanId).sort());
      expect(calls[0].attributes).toMatchObject({
        'messaging.system': 'cello',
        'messaging.operation.name': 'process',
        'messaging.consumer.group.name': 'placed-digest',
      });
    });
  });

  describe('when one batch holds events of two requests', () => {
    it('should give the call a correlation id of its own, neither of theirs', async () => {
      // When: two events of two correlations, stored together (so read in one page)
      await store.transaction(async (tx) => {
        await tx.append('order-batch-3', new Placed('batch-3'), {
          metadata: { correlationId: 'request-a' },
        });
        await tx.append('order-batch-4', new Placed('batch-4'), {
          metadata: { correlationId: 'request-b' },
        });
      });

      // Then
      const [note] = await eventually(async () => {
        const read = await store.readStream('digest-batch-3+batch-4');
        expect(read).toHaveLength(1);
        return read;
      }, 20_000);
      expect(note.metadata.correlationId).toEqual(expect.any(String));
      expect(['request-a', 'request-b']).not.toContain(note.metadata.correlationId);
    });
  });
});
