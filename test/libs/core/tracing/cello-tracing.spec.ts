import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { celloTracer, refreshCelloTracer, traced, withTraceContext } from '@cello/core/internal';

describe('Cello tracing over @opentelemetry/api', () => {
  afterEach(() => {
    trace.disable();
    refreshCelloTracer();
  });

  describe('when no SDK is registered', () => {
    it('should create no tracer, run the work as it is and leave metadata unchanged', async () => {
      // Given
      refreshCelloTracer();
      const metadata = { user: 'u-1' };

      // When
      const result = await traced(
        'work',
        () => ({}),
        async () => 42,
      );

      // Then
      expect(celloTracer()).toBeUndefined();
      expect(result).toBe(42);
      expect(withTraceContext(metadata)).toBe(metadata);
    });
  });

  describe('when an SDK is registered before start-up', () => {
    it('should record a span per traced operation, with its attributes and failure', async () => {
      // Given
      const exporter = new InMemorySpanExporter();
      trace.setGlobalTracerProvider(
        new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
      );
      refreshCelloTracer();

      // When
      await traced(
        'ok',
        () => ({ attributes: { 'cello.a': 1, 'cello.b': undefined } }),
        async () => 1,
      );
      const failure = await traced(
        'fails',
        () => ({}),
        async () => {
          throw new Error('boom');
        },
      ).catch((error: unknown) => error);

      // Then
      expect(celloTracer()).toBeDefined();
      expect(failure).toEqual(new Error('boom'));
      const [ok, fails] = exporter.getFinishedSpans();
      expect(ok.name).toBe('ok');
      expect(ok.attributes).toEqual({ 'cello.a': 1 });
      expect(fails.status).toMatchObject({ code: 2, message: 'Error: boom' });
      expect(fails.events.map((e) => e.name)).toEqual(['exception']);
    });
  });
});
