import { checkStorageHealth } from '@cello/core/health/storage-health-check';

describe('checkStorageHealth', () => {
  it('should report up when the ping answers', async () => {
    await expect(checkStorageHealth('eventStore', async () => 1)).resolves.toEqual({
      eventStore: { status: 'up' },
    });
  });

  it('should report down with the reason when the ping fails', async () => {
    const result = await checkStorageHealth('sagaStore', () =>
      Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')),
    );
    expect(result).toEqual({
      sagaStore: { status: 'down', message: 'connect ECONNREFUSED 127.0.0.1:1' },
    });
  });

  it('should report down when the ping does not answer in time', async () => {
    const result = await checkStorageHealth('eventStore', () => new Promise(() => undefined), 20);
    expect(result).toEqual({ eventStore: { status: 'down', message: 'no answer within 20 ms' } });
  });
});
