// With an OpenTelemetry SDK registered before start-up, every dispatch is a span of its own
// (`<kind> <Message>`), active while its handler runs, on both dispatch paths (with and
// without a caller's signal), for commands and queries; a message without a handler makes none.
import type { INestApplication } from '@nestjs/common';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { CommandBus } from '@cello/cqrs/command-bus';
import { CommandHandler } from '@cello/cqrs/decorators/command-handler.decorator';
import { QueryHandler } from '@cello/cqrs/decorators/query-handler.decorator';
import { HandlerNotFoundError } from '@cello/cqrs/errors/handler-not-found.error';
import { Command } from '@cello/cqrs/message/command';
import { Query } from '@cello/cqrs/message/query';
import { QueryBus } from '@cello/cqrs/query-bus';
import { bootCqrsApp } from '../testing/boot-cqrs-app';

class ShipOrderCommand extends Command<string | undefined> {
  constructor(readonly orderId: string) {
    super();
  }
}

class FindOrderQuery extends Query<string | undefined> {
  constructor(readonly orderId: string) {
    super();
  }
}

class UnhandledCommand extends Command<void> {}

/** Each handler answers with the id of the span active while it runs. */
function activeSpanId(): string | undefined {
  return trace.getActiveSpan()?.spanContext().spanId;
}

@CommandHandler(ShipOrderCommand)
class ShipOrderHandler {
  async execute(command: ShipOrderCommand): Promise<string | undefined> {
    if (command.orderId === 'broken') throw new Error('carrier unavailable');
    return activeSpanId();
  }
}

@QueryHandler(FindOrderQuery)
class FindOrderHandler {
  async execute(): Promise<string | undefined> {
    return activeSpanId();
  }
}

describe('dispatch spans (OpenTelemetry SDK registered)', () => {
  const exporter = new InMemorySpanExporter();
  const contextManager = new AsyncLocalStorageContextManager();
  let app: INestApplication;

  function only(name: string): ReadableSpan {
    const spans = exporter.getFinishedSpans().filter((s) => s.name === name);
    expect(spans).toHaveLength(1);
    return spans[0];
  }

  beforeAll(async () => {
    // Registered before the app starts: the buses decide at start-up.
    context.setGlobalContextManager(contextManager.enable());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    app = await bootCqrsApp(
      { commandTimeout: 5, queryTimeout: 5 },
      { providers: [ShipOrderHandler, FindOrderHandler] },
    );
  });

  afterEach(() => exporter.reset());

  afterAll(async () => {
    await app.close();
    trace.disable();
    context.disable();
  });

  it('should run a query in a span of its own, active in its handler', async () => {
    // When
    const activeInHandler = await app.get(QueryBus).dispatch(new FindOrderQuery('o-1'));
    // Then
    const span = only('query FindOrderQuery');
    expect(activeInHandler).toBe(span.spanContext().spanId);
    expect(span.attributes).toEqual({
      'messaging.system': 'cello',
      'messaging.operation.name': 'dispatch',
      'messaging.destination.name': 'FindOrderQuery',
      'cello.message.kind': 'query',
    });
  });

  it('should run a command dispatched with a signal in a span of its own', async () => {
    // When
    const activeInHandler = await app
      .get(CommandBus)
      .dispatch(new ShipOrderCommand('o-1'), { signal: new AbortController().signal });
    // Then
    const span = only('command ShipOrderCommand');
    expect(activeInHandler).toBe(span.spanContext().spanId);
    expect(span.attributes['cello.message.kind']).toBe('command');
  });

  it("should mark the span failed with the handler's error, which the caller gets", async () => {
    // When
    const outcome = app.get(CommandBus).dispatch(new ShipOrderCommand('broken'));
    // Then
    await expect(outcome).rejects.toThrow('carrier unavailable');
    const span = only('command ShipOrderCommand');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('should make no span for a message without a handler', async () => {
    // When
    const outcome = app.get(CommandBus).dispatch(new UnhandledCommand());
    // Then
    await expect(outcome).rejects.toBeInstanceOf(HandlerNotFoundError);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
