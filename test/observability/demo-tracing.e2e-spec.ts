// One HTTP request to the demo, traced with the OpenTelemetry SDK's in-memory exporter:
// its command, the append, the load and the saga steps are one trace; the projection,
// which runs later on its own, links to the append through the traceparent stored with the event.
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { NextFunction, Request, Response } from 'express';
import request from 'supertest';
import type { App } from 'supertest/types';
import { AppModule } from '../../apps/demo/src/app.module';
import { DemoConfig } from '../../apps/demo/src/config/demo-config';
import { FAST_SAGAS, fulfillBody, orderBody } from '../e2e/demo-support';
import { eventually } from '../support/eventually';
import { usePostgresDatabase } from '../support/postgres-database';

const exporter = new InMemorySpanExporter();
const contextManager = new AsyncLocalStorageContextManager();

/** What an HTTP instrumentation would do: a server span around each request, active while it runs. */
function serverSpans(req: Request, res: Response, next: NextFunction): void {
  const tracer = trace.getTracer('test-http');
  tracer.startActiveSpan(`${req.method} ${req.path}`, { kind: SpanKind.SERVER }, (span) => {
    res.on('finish', () => span.end());
    next();
  });
}

function spansOfTrace(traceId: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
}

function named(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.find((s) => s.name === name);
  if (!found) throw new Error(`no span "${name}" among ${spans.map((s) => s.name).join(', ')}`);
  return found;
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

describe('the demo traced with OpenTelemetry (in-memory exporter)', () => {
  const db = usePostgresDatabase();
  let app: INestApplication;
  let http: () => ReturnType<typeof request>;

  beforeAll(async () => {
    // The SDK is registered before the app starts, as OpenTelemetry asks.
    context.setGlobalContextManager(contextManager.enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    const config = new DemoConfig({ saga: FAST_SAGAS, databaseUrl: db.url });
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(config)],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.use(serverSpans);
    await app.init();
    const server = app.getHttpServer() as App;
    http = () => request(server);
  });

  afterAll(async () => {
    await app.close();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it('should make the request, its command and the append one trace, and link the projection to the append', async () => {
    // When
    const response = await http().post('/orders').send(orderBody()).expect(201);
    const orderId = (response.body as { order_id: string }).order_id;

    // Then the request, the command and the append are one trace, nested
    const server = await eventually(
      async () => named(exporter.getFinishedSpans(), 'POST /orders'),
      10_000,
    );
    const inTrace = spansOfTrace(server.spanContext().traceId);
    const command = named(inTrace, 'command CreateOrderCommand');
    const append = named(inTrace, 'append');
    expect(parentOf(command)).toBe(server.spanContext().spanId);
    expect(parentOf(append)).toBe(command.spanContext().spanId);
    expect(command.attributes).toMatchObject({
      'messaging.system': 'cello',
      'messaging.operation.name': 'dispatch',
      'messaging.destination.name': 'CreateOrderCommand',
      'cello.message.kind': 'command',
    });
    expect(append.kind).toBe(SpanKind.PRODUCER);
    expect(append.attributes).toMatchObject({
      'db.operation.name': 'append',
      'cello.stream.id': orderId,
      'cello.event.count': 1,
    });

    // And the projection, delivered later, links to the append
    const projection = await eventually(
      async () =>
        exporter
          .getFinishedSpans()
          .find(
            (s) => s.name === 'process OrderCreated' && s.attributes['cello.stream.id'] === orderId,
          ) ?? Promise.reject(new Error('no projection span yet')),
      20_000,
    );
    expect(projection.kind).toBe(SpanKind.CONSUMER);
    expect(projection.links.map((l) => l.context.spanId)).toEqual([append.spanContext().spanId]);
    expect(projection.links[0].context.traceId).toBe(server.spanContext().traceId);
    expect(projection.attributes).toMatchObject({
      'messaging.operation.name': 'process',
      'messaging.destination.name': 'OrderCreated',
      'cello.delivery.attempt': 1,
    });
  });

  it('should put the load and the saga steps of a fulfilment in the request trace', async () => {
    // Given
    const created = await http().post('/orders').send(orderBody()).expect(201);
    const orderId = (created.body as { order_id: string }).order_id;
    exporter.reset();

    // When
    await http().post(`/orders/${orderId}/fulfill`).send(fulfillBody()).expect(200);

    // Then
    const server = await eventually(
      async () => named(exporter.getFinishedSpans(), `POST /orders/${orderId}/fulfill`),
      10_000,
    );
    const inTrace = spansOfTrace(server.spanContext().traceId);
    const names = inTrace.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'load Order',
        'saga step OrderSaga.reserve_inventory',
        'saga step OrderSaga.process_payment',
        'saga step OrderSaga.ship_order',
        'command LinkOrderFulfillmentCommand',
        'append',
      ]),
    );
    expect(named(inTrace, 'saga step OrderSaga.process_payment').attributes).toMatchObject({
      'cello.saga.name': 'OrderSaga',
      'cello.saga.step': 'process_payment',
      'cello.saga.operation': 'step',
      'cello.saga.attempt': 1,
    });
    expect(named(inTrace, 'load Order').attributes).toMatchObject({
      'db.operation.name': 'load',
      'cello.stream.id': orderId,
    });
  });

  it('should trace compensations as their own spans, marked failed steps as errors', async () => {
    // Given
    const created = await http().post('/orders').send(orderBody()).expect(201);
    const orderId = (created.body as { order_id: string }).order_id;
    exporter.reset();

    // When the payment is declined
    await http()
      .post(`/orders/${orderId}/fulfill`)
      .send(fulfillBody({ total: 20_000 }))
      .expect(500);

    // Then
    const server = await eventually(
      async () => named(exporter.getFinishedSpans(), `POST /orders/${orderId}/fulfill`),
      10_000,
    );
    const inTrace = spansOfTrace(server.spanContext().traceId);
    const compensation = named(inTrace, 'saga compensation OrderSaga.reserve_inventory');
    expect(compensation.attributes).toMatchObject({ 'cello.saga.operation': 'compensation' });
    const failed = inTrace.filter((s) => s.name === 'saga step OrderSaga.process_payment');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.every((s) => s.status.code === 2)).toBe(true);
  });
});
