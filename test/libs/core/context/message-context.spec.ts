import {
  CommandMessageContext,
  correlationIdOfRequest,
  currentMessageContext,
  runInMessageContext,
} from '@cello/core/internal';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('correlationIdOfRequest', () => {
  it.each([
    ['x-correlation-id', { 'x-correlation-id': 'abc' }, 'abc'],
    [
      'x-correlation-id over traceparent',
      { 'x-correlation-id': 'abc', traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
      'abc',
    ],
    ["traceparent's trace id", { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` }, TRACE_ID],
    ['the first of repeated headers', { 'x-correlation-id': ['first', 'second'] }, 'first'],
    [
      'traceparent when x-correlation-id is empty',
      { 'x-correlation-id': ' ', traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
      TRACE_ID,
    ],
  ])('should take %s', (_, headers, expected) => {
    // When / Then
    expect(correlationIdOfRequest({ headers })).toBe(expected);
  });

  it.each([
    ['no request', undefined],
    ['no headers', {}],
    ['a malformed traceparent', { headers: { traceparent: 'not-a-trace' } }],
    [
      'an all-zero trace id',
      { headers: { traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` } },
    ],
    [
      'an x-correlation-id over 200 characters',
      { headers: { 'x-correlation-id': 'x'.repeat(201) } },
    ],
  ])('should give undefined for %s', (_, request) => {
    // When / Then
    expect(correlationIdOfRequest(request)).toBeUndefined();
  });
});

describe('CommandMessageContext', () => {
  it("should take the enclosing context's correlation id over the request's", () => {
    // Given
    const parent = { correlationId: 'outer', causationId: 'event-1' };
    // When
    const context = new CommandMessageContext({ headers: { 'x-correlation-id': 'inner' } }, parent);
    // Then
    expect(context.correlationId).toBe('outer');
    expect(context.causationId).toBe(context.messageId);
    expect(context.messageId).not.toBe('event-1');
  });

  it('should make a new correlation id once, without a request', () => {
    // When
    const context = new CommandMessageContext(undefined, undefined);
    // Then
    expect(context.correlationId).toMatch(/^[\da-f-]{36}$/);
    expect(context.correlationId).toBe(context.correlationId);
  });
});

describe('runInMessageContext', () => {
  it('should make the context ambient across awaits, and only inside', async () => {
    // Given
    const context = { correlationId: 'c', causationId: 'm' };
    // When
    const seen = await runInMessageContext(context, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return currentMessageContext();
    });
    // Then
    expect(seen).toBe(context);
    expect(currentMessageContext()).toBeUndefined();
  });
});
