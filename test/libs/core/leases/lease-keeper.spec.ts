import { LeaseKeeper, LeaseLostError, type LeaseKeeperOptions } from '@cello/core/internal';
import { isCelloError } from '@cello/core';

/** Lets the promise callbacks queued by a tick run (fake timers do not await them). */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

function keeperWith(overrides: Partial<LeaseKeeperOptions> = {}) {
  const onLost = jest.fn<void, [Error]>();
  const onError = jest.fn<void, [unknown]>();
  const renew = jest.fn<Promise<boolean>, []>(async () => true);
  const keeper = new LeaseKeeper({ renew, onLost, onError, ttlMs: 300, ...overrides });
  return { keeper, renew: overrides.renew ?? renew, onLost, onError };
}

describe('LeaseKeeper', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should renew every ttl / 3 while held', async () => {
    // Given
    const { keeper, renew, onLost } = keeperWith();
    // When
    keeper.start();
    await jest.advanceTimersByTimeAsync(100 * 4);
    // Then
    expect(renew).toHaveBeenCalledTimes(4);
    expect(keeper.held).toBe(true);
    expect(onLost).not.toHaveBeenCalled();
    await keeper.stop();
  });

  it('should honour renewEveryMs', async () => {
    const { keeper, renew } = keeperWith({ renewEveryMs: 50 });
    keeper.start();
    await jest.advanceTimersByTimeAsync(200);
    expect(renew).toHaveBeenCalledTimes(4);
    await keeper.stop();
  });

  it('should call onLost once and stop renewing when renew answers false', async () => {
    // Given
    const renew = jest.fn(async () => false);
    const { keeper, onLost } = keeperWith({ renew });
    // When
    keeper.start();
    await jest.advanceTimersByTimeAsync(1000);
    // Then
    expect(renew).toHaveBeenCalledTimes(1);
    expect(onLost).toHaveBeenCalledTimes(1);
    expect(onLost.mock.calls[0][0]).toBeInstanceOf(LeaseLostError);
    expect(isCelloError(onLost.mock.calls[0][0], 'lease-lost')).toBe(true);
    expect(keeper.held).toBe(false);
  });

  it('should report failures as errors until they last past the ttl, then call onLost', async () => {
    // Given
    const renew = jest.fn(async () => {
      throw new Error('connect ECONNREFUSED');
    });
    const { keeper, onLost, onError } = keeperWith({ renew });
    // When: two failures inside the ttl
    keeper.start();
    await jest.advanceTimersByTimeAsync(200);
    // Then
    expect(onError).toHaveBeenCalledTimes(2);
    expect(onLost).not.toHaveBeenCalled();
    expect(keeper.held).toBe(true);
    // When: the third one is a ttl after the start
    await jest.advanceTimersByTimeAsync(100);
    // Then
    expect(onLost).toHaveBeenCalledTimes(1);
    expect(onLost.mock.calls[0][0].message).toContain('ECONNREFUSED');
    expect(keeper.held).toBe(false);
    await jest.advanceTimersByTimeAsync(1000);
    expect(renew).toHaveBeenCalledTimes(3);
  });

  it('should count the ttl from the last successful renewal', async () => {
    // Given: a success at 100 ms, then failures
    let calls = 0;
    const renew = jest.fn(async () => {
      calls += 1;
      if (calls === 1) return true;
      throw new Error('timeout');
    });
    const { keeper, onLost } = keeperWith({ renew });
    keeper.start();
    // When: failures at 200 and 300 ms are within 300 ms of the success
    await jest.advanceTimersByTimeAsync(300);
    // Then
    expect(onLost).not.toHaveBeenCalled();
    // When: the one at 400 ms is not
    await jest.advanceTimersByTimeAsync(100);
    // Then
    expect(onLost).toHaveBeenCalledTimes(1);
  });

  it('should never run two renewals at once', async () => {
    // Given: a renewal that hangs
    let finish: (kept: boolean) => void = () => undefined;
    const renew = jest.fn(() => new Promise<boolean>((resolve) => (finish = resolve)));
    const { keeper } = keeperWith({ renew });
    // When
    keeper.start();
    await jest.advanceTimersByTimeAsync(250);
    // Then
    expect(renew).toHaveBeenCalledTimes(1);
    finish(true);
    await flush();
    await jest.advanceTimersByTimeAsync(100);
    expect(renew).toHaveBeenCalledTimes(2);
    finish(true);
    await keeper.stop();
  });

  it('should wait for a renewal in flight on stop and not report what it answers', async () => {
    // Given
    let finish: (kept: boolean) => void = () => undefined;
    const renew = jest.fn(() => new Promise<boolean>((resolve) => (finish = resolve)));
    const { keeper, onLost } = keeperWith({ renew });
    keeper.start();
    await jest.advanceTimersByTimeAsync(100);
    // When
    let stopped = false;
    const stopping = keeper.stop().then(() => (stopped = true));
    await flush();
    // Then
    expect(stopped).toBe(false);
    finish(false);
    await stopping;
    expect(onLost).not.toHaveBeenCalled();
    expect(keeper.held).toBe(false);
    await jest.advanceTimersByTimeAsync(1000);
    expect(renew).toHaveBeenCalledTimes(1);
  });

  it('should keep again after a restart following a loss', async () => {
    const results = [false, true, true];
    const renew = jest.fn(async () => results.shift() ?? true);
    const { keeper, onLost } = keeperWith({ renew });
    keeper.start();
    await jest.advanceTimersByTimeAsync(100);
    expect(keeper.held).toBe(false);
    keeper.start();
    await jest.advanceTimersByTimeAsync(200);
    expect(keeper.held).toBe(true);
    expect(onLost).toHaveBeenCalledTimes(1);
    expect(renew).toHaveBeenCalledTimes(3);
    await keeper.stop();
  });
});
