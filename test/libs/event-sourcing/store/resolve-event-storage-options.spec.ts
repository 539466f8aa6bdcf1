// The storage options of `EventSourcingModule.forRoot` reach the storage the module builds,
// for each backend and each way of naming it (URL or DataSource).
import { DataSource } from 'typeorm';
import { isCelloError } from '@cello/core';
import {
  InvalidEventSourcingOptionError,
  MysqlEventStorage,
  PostgresEventStorage,
  type MysqlEventStorageOptions,
  type PostgresEventStorageOptions,
} from '@cello/event-sourcing';
import { resolveEventStorage } from '@cello/event-sourcing/store/resolve-event-storage';

describe('resolveEventStorage', () => {
  afterEach(() => jest.restoreAllMocks());

  it('should hand pollIntervalMs and poolSize to a MySQL storage built from a URL', () => {
    const fromUrl = jest.spyOn(MysqlEventStorage, 'fromUrl');
    // Building the storage opens nothing: the pool is made by init().
    resolveEventStorage({
      storage: 'mysql://app:secret@127.0.0.1:3306/shop',
      pollIntervalMs: 40,
      poolSize: 3,
      tablePrefix: 'shop_',
    });
    expect(fromUrl).toHaveBeenCalledTimes(1);
    expect(fromUrl.mock.calls[0]![1]).toEqual<MysqlEventStorageOptions>({
      schema: undefined,
      tablePrefix: 'shop_',
      poolSize: 3,
      pollIntervalMs: 40,
    });
  });

  it('should hand pollIntervalMs to a MySQL storage built on a DataSource', () => {
    const fromDataSource = jest.spyOn(MysqlEventStorage, 'fromDataSource');
    const dataSource = new DataSource({
      type: 'mysql',
      url: 'mysql://app:secret@127.0.0.1:3306/shop',
      charset: 'utf8mb4_unicode_ci',
    });
    resolveEventStorage({ storage: dataSource, pollIntervalMs: 40 });
    expect(fromDataSource).toHaveBeenCalledTimes(1);
    expect(fromDataSource.mock.calls[0]![1]).toMatchObject<MysqlEventStorageOptions>({
      pollIntervalMs: 40,
    });
  });

  it('should hand poolSize and statementTimeoutMs to a PostgreSQL storage built from a URL', () => {
    const fromUrl = jest.spyOn(PostgresEventStorage, 'fromUrl');
    resolveEventStorage({
      storage: 'postgresql://app:secret@127.0.0.1:5432/shop',
      poolSize: 4,
      statementTimeoutMs: 1500,
    });
    expect(fromUrl).toHaveBeenCalledTimes(1);
    expect(fromUrl.mock.calls[0]![1]).toMatchObject<PostgresEventStorageOptions>({
      poolSize: 4,
      statementTimeoutMs: 1500,
    });
  });

  it.each([
    ['pollIntervalMs', 0],
    ['pollIntervalMs', 2.5],
    ['poolSize', -1],
    ['poolSize', '4'],
  ] as const)('should refuse %s = %p with a typed error naming the option', (option, value) => {
    const fromUrl = jest.spyOn(MysqlEventStorage, 'fromUrl');
    let caught: unknown;
    try {
      resolveEventStorage({ storage: 'mysql://app:secret@127.0.0.1:3306/shop', [option]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidEventSourcingOptionError);
    expect(isCelloError(caught, InvalidEventSourcingOptionError.code)).toBe(true);
    expect((caught as Error).message).toContain(`option "${option}" is invalid`);
    expect(fromUrl).not.toHaveBeenCalled();
  });
});
