import { isTypeOrmDataSource } from '@cello/core/internal';
import { DataSource } from 'typeorm';

describe('isTypeOrmDataSource', () => {
  it('should recognise a TypeORM DataSource', () => {
    const dataSource = new DataSource({ type: 'postgres', url: 'postgres://u@127.0.0.1:1/x' });
    expect(isTypeOrmDataSource(dataSource)).toBe(true);
  });

  it('should recognise a DataSource of another copy of TypeORM by its shape', () => {
    // Given: an object shaped like a DataSource whose class is not this TypeORM's
    const foreign = {
      options: { type: 'mysql' },
      query: async () => [],
      initialize: async () => ({}),
    };
    // Then
    expect(foreign instanceof DataSource).toBe(false);
    expect(isTypeOrmDataSource(foreign)).toBe(true);
  });

  it.each([
    ['a URL', 'postgres://db/x'],
    ['null', null],
    ['an object without query', { options: { type: 'postgres' }, initialize: async () => ({}) }],
    [
      'an object without a type',
      { options: {}, query: async () => [], initialize: async () => ({}) },
    ],
  ])('should refuse %s', (_what, value) => {
    expect(isTypeOrmDataSource(value)).toBe(false);
  });
});
