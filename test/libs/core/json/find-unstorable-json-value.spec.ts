import fc from 'fast-check';
import {
  findUnstorableJsonValue,
  formatJsonValuePath,
  toStorableText,
} from '@cello/core/json/find-unstorable-json-value';

function problemOf(value: unknown): { path: string; reason: string } | undefined {
  const found = findUnstorableJsonValue(value);
  return found && { path: formatJsonValuePath('context', found.path), reason: found.reason };
}

describe('findUnstorableJsonValue', () => {
  describe('when every value is plain JSON', () => {
    it('should find nothing, also with dates, toJSON, class instances and undefined fields', () => {
      // Given
      class Money {
        constructor(readonly cents: number) {}
      }
      const value = {
        name: 'Zoë 🎉 "quoted" \\u0000 as text',
        items: [1, 'two', null, true, { nested: [] }],
        at: new Date(0),
        price: new Money(100),
        decimal: { toJSON: () => '1.50' },
        optional: undefined,
      };
      // When / Then
      expect(findUnstorableJsonValue(value)).toBeUndefined();
    });

    it('should find nothing in any JSON value (property)', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          // fast-check's strings may hold NUL or lone surrogates; those are the unstorable ones.
          const text = JSON.stringify(value) ?? '';
          const unstorable = /\\u0000|\\ud[89a-f][0-9a-f]{2}/i.test(text.replace(/\\\\/g, ''));
          expect(findUnstorableJsonValue(value) === undefined).toBe(!unstorable);
        }),
      );
    });
  });

  describe('when a value cannot be stored as given', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
    it.each([
      [
        'a lone surrogate',
        { customer: { name: '\ud800x' } },
        'context.customer.name',
        /lone UTF-16 surrogate/,
      ],
      [
        'a lone low surrogate',
        { tags: ['ok', 'x\udc00'] },
        'context.tags[1]',
        /lone UTF-16 surrogate/,
      ],
      ['a NUL character', { note: 'a\u0000b' }, 'context.note', /NUL/],
      ['a NUL in a key', { 'bad\u0000key': 1 }, 'context["bad\\u0000key"]', /key that holds a NUL/],
      [
        'a lone surrogate in a key',
        { ['\udfff']: 1 },
        'context["\\udfff"]',
        /key that holds a lone/,
      ],
      ['a function', { run: () => 1 }, 'context.run', /function/],
      ['a symbol', { s: Symbol('x') }, 'context.s', /symbol/],
      ['a BigInt', { n: 10n }, 'context.n', /BigInt/],
      ['NaN', { n: NaN }, 'context.n', /NaN/],
      ['Infinity', { n: [Infinity] }, 'context.n[0]', /Infinity/],
      ['undefined in an array', { list: [1, undefined] }, 'context.list[1]', /undefined/],
      ['a hole in an array', { list: sparse }, 'context.list[1]', /undefined/],
      ['a cycle', cycle, 'context.self', /circular/],
      ['a Map', { m: new Map([[1, 2]]) }, 'context.m', /Map/],
      ['a Set', { s: new Set([1]) }, 'context.s', /Set/],
      ['a typed array', { b: new Uint8Array(2) }, 'context.b', /Uint8Array/],
      ['an Error', { e: new Error('x') }, 'context.e', /Error/],
      ['an invalid Date', { at: new Date(NaN) }, 'context.at', /invalid Date/],
      ['a toJSON giving a NUL', { x: { toJSON: () => '\u0000' } }, 'context.x', /NUL/],
    ])('should name the path of %s', (_, value, path, reason) => {
      // When
      const problem = problemOf(value);
      // Then
      expect(problem?.path).toBe(path);
      expect(problem?.reason).toMatch(reason);
    });

    it('should allow the same object twice when it is not its own ancestor', () => {
      // Given
      const shared = { a: 1 };
      // When / Then
      expect(findUnstorableJsonValue({ x: shared, y: [shared] })).toBeUndefined();
    });

    it('should skip the given root keys only at the root', () => {
      // Given
      const value = { eventId: () => 1, nested: { eventId: () => 1 } };
      // When
      const problem = findUnstorableJsonValue(value, { skipRootKeys: new Set(['eventId']) });
      // Then
      expect(problem?.path).toEqual(['nested', 'eventId']);
    });
  });
});

describe('toStorableText', () => {
  it('should replace NUL and lone surrogates and keep surrogate pairs', () => {
    expect(toStorableText('a\u0000b\ud800c\udc00 🎉')).toBe('a\uFFFDb\uFFFDc\uFFFD 🎉');
    expect(toStorableText('plain')).toBe('plain');
  });
});
