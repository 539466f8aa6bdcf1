import { BadRequestException, type ArgumentMetadata } from '@nestjs/common';
import { CreateOrderDto } from '../orders/dto/create-order.dto';
import { createValidationPipe, MAX_REQUEST_DEPTH } from './validation.pipe';

const BODY: ArgumentMetadata = { type: 'body', metatype: CreateOrderDto };
const PARAM: ArgumentMetadata = { type: 'param', metatype: String, data: 'id' };

/** The problems a 400 lists, or undefined when the value passed. */
async function problemsOf(value: unknown, metadata: ArgumentMetadata = BODY) {
  try {
    await createValidationPipe().transform(value, metadata);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return (error as BadRequestException).getResponse() as { message: string[] };
  }
}

describe('the demo validation pipe', () => {
  describe('when a request nests deeper than the limit', () => {
    it('should answer 400 naming where, before any recursive code runs', async () => {
      // Given
      let items: unknown = [];
      for (let i = 0; i < 10_000; i++) items = [items];
      // When
      const answer = await problemsOf({ customer_id: 'c', items });
      // Then
      expect(answer?.message).toEqual([
        expect.stringContaining(`request nests deeper than ${MAX_REQUEST_DEPTH} levels at items.0`),
      ]);
    });
  });

  describe('when a number is a fraction in exponent notation', () => {
    it('should answer 400 naming the field instead of crashing the validator', async () => {
      // When
      const answer = await problemsOf({
        customer_id: 'c',
        items: [{ sku: 'A', quantity: 1, price: 1e-7 }],
      });
      // Then
      expect(answer?.message).toEqual(['items.0.price must be a plain decimal number, not 1e-7']);
    });
  });

  describe('when a string holds a NUL character', () => {
    it('should answer 400 for a body field and for a path parameter', async () => {
      // When
      const body = await problemsOf({ customer_id: 'a\u0000b', items: [] });
      const param = await problemsOf('id\u0000', PARAM);
      // Then
      expect(body?.message).toEqual(['customer_id must not contain NUL characters']);
      expect(param?.message).toEqual(['id must not contain NUL characters']);
    });
  });

  describe('when a string holds a lone UTF-16 surrogate', () => {
    it('should answer 400 naming the field, in a body, a query, a path parameter and a key', async () => {
      // When
      const body = await problemsOf({
        customer_id: 'c',
        items: [{ sku: 'A\ud800x', quantity: 1, price: 1 }],
      });
      const low = await problemsOf({ customer_id: '\udc00', items: [] });
      const query = await problemsOf({ customer_id: 'x\udbff' }, { type: 'query' });
      const param = await problemsOf('id\ud800', PARAM);
      const key = await problemsOf({ customer_id: 'c', items: [{ 'k\ud800': 1 }] });
      const paired = await problemsOf({ customer_id: 'c\ud83d\ude80', items: [] });
      // Then
      const lone = 'must not contain lone UTF-16 surrogates';
      expect(body?.message).toEqual([expect.stringMatching(`^items.0.sku ${lone}`)]);
      expect(low?.message).toEqual([expect.stringMatching(`^customer_id ${lone}`)]);
      expect(query?.message).toEqual([expect.stringMatching(`^customer_id ${lone}`)]);
      expect(param?.message).toEqual([expect.stringMatching(`^id ${lone}`)]);
      expect(key?.message).toEqual([expect.stringMatching(`^a key in items.0 ${lone}`)]);
      // A well-formed pair (an emoji) is ordinary text.
      expect(paired?.message).toEqual(['items must contain at least 1 elements']);
    });
  });

  describe('when nothing is beyond what class-validator handles', () => {
    it('should leave the checks to class-validator as before', async () => {
      // When
      const tooExpensive = await problemsOf({
        customer_id: 'c',
        items: [{ sku: 'A', quantity: 2, price: 1e21 }],
      });
      const empty = await problemsOf({ customer_id: 'c', items: [] });
      // Then
      expect(tooExpensive?.message).toEqual(['items.0.price must not be greater than 1000000000']);
      expect(empty?.message).toEqual(['items must contain at least 1 elements']);
    });
  });
});
