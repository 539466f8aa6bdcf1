import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from './eventually';
import { ensureNats, natsInfo, stopNats } from './provisioning';

// The NATS lookup, for real: Debian's nats-server started with JetStream on a
// free port, in a folder of the test's own, and found again the second time.
describe('the NATS lookup', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cello-nats-spec-'));
  const saved = process.env.NATS_URL;

  beforeEach(() => {
    delete process.env.NATS_URL;
  });

  afterAll(() => {
    stopNats({ dir });
    if (saved !== undefined) process.env.NATS_URL = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts nats-server with JetStream on 127.0.0.1 and says so in one line', async () => {
    // Given
    const status = jest.fn();
    // When
    const url = await ensureNats({ dir, status });
    // Then
    expect(url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect((await natsInfo(url))?.jetstream).toBe(true);
    expect(status).toHaveBeenCalledTimes(1);
    expect(status).toHaveBeenCalledWith(
      'nats',
      // On a machine without it, an install comes first.
      expect.stringMatching(/started nats-server .* with JetStream at nats:/),
    );
  }, 60_000);

  it('finds the server it started the second time, and NATS_URL before it', async () => {
    // Given
    const status = jest.fn();
    const first = await ensureNats({ dir });
    // When
    const second = await ensureNats({ dir, status });
    process.env.NATS_URL = first;
    const fromEnv = await ensureNats({ dir, status });
    // Then
    expect(second).toBe(first);
    expect(fromEnv).toBe(first);
    expect(status.mock.calls).toEqual([
      ['nats', `using the server started before at ${first}`],
      ['nats', 'using NATS_URL'],
    ]);
  }, 60_000);

  it('starts a new server when the one it started is gone', async () => {
    // Given
    const first = await ensureNats({ dir });
    expect(stopNats({ dir })).toBe(true);
    await waitUntil(
      'the stopped server no longer answers',
      async () => (await natsInfo(first)) === null,
    );
    // When
    const url = await ensureNats({ dir });
    // Then
    expect((await natsInfo(url))?.jetstream).toBe(true);
  }, 60_000);

  it('names NATS_URL when nothing answers there', async () => {
    // Given
    process.env.NATS_URL = 'nats://127.0.0.1:1';
    // When / Then
    await expect(ensureNats({ dir })).rejects.toThrow(
      'cannot reach NATS at NATS_URL (nats://127.0.0.1:1)',
    );
  });
});
