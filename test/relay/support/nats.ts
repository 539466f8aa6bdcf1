import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import { freePort } from '../../support/free-port';
import { waitUntil } from '../../support/eventually';

/** The shared NATS server of the run (test/support/global-setup.js found or started it). */
export function natsUrl(): string {
  const url = process.env.CELLO_TEST_NATS_URL;
  if (!url) {
    throw new Error(
      `no NATS server for the relay tests: ${process.env.CELLO_TEST_NATS_ERROR ?? 'run them through jest (npm test)'}`,
    );
  }
  return url;
}

/** A stream name and subject prefix of one test, so tests sharing a server never meet. */
export function uniqueRelayNames(label: string): { stream: string; prefix: string } {
  const suffix = randomBytes(4).toString('hex');
  return { stream: `T_${label}_${suffix}`.toUpperCase(), prefix: `t-${label}-${suffix}` };
}

async function answers(url: string): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, timeout: 1000, reconnect: false });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

/** A nats-server of one test, with JetStream stored in a folder of its own: stop and start it again. */
export interface PrivateNats {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/** Starts a private nats-server with -js -sd <tmpdir> on a free port (same port on restarts). */
export async function startPrivateNats(): Promise<PrivateNats> {
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const storeDir = mkdtempSync(path.join(tmpdir(), 'cello-relay-nats-'));
  const binary = process.env.CELLO_TEST_NATS_BIN ?? '/usr/sbin/nats-server';
  let child: ChildProcess | undefined;
  const start = async () => {
    const started = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
      stdio: 'ignore',
    });
    child = started;
    await waitUntil(
      'the private nats-server answers',
      async () => {
        if (started.exitCode !== null) throw new Error(`nats-server exited (${started.exitCode})`);
        return answers(url);
      },
      30_000,
    );
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await gone;
  };
  await start();
  return {
    url,
    start,
    stop,
    dispose: async () => {
      await stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
