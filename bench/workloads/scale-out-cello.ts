import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { LatencyRecorder } from '../support/latency-recorder';
import { samplePostgresLoad } from '../support/postgres-load-sampler';
import type { BenchContext, Measurement } from '../support/workload';
import type { ScaleOutDone } from './scale-out-app';

/** Concurrent units of work in each app process, as in `saga-3-steps-pg`. */
export const WORKERS_PER_PROCESS = 16;

const REGISTER = path.resolve(__dirname, '..', '..', 'scripts', 'register-ts.js');
const APP = path.join(__dirname, 'scale-out-app.ts');
const BOOT_TIMEOUT_MS = 60_000;

type AppMessage = { ready?: true; done?: ScaleOutDone; error?: string };

/** Resolves with the first message of `app` that `pick` accepts; rejects on an error or exit. */
function nextMessage<T>(
  app: ChildProcess,
  pick: (m: AppMessage) => T | undefined,
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`app ${app.pid} timed out`)), timeoutMs);
    const onMessage = (message: AppMessage): void => {
      if (message.error) return finish(new Error(`app ${app.pid}: ${message.error}`));
      const picked = pick(message);
      if (picked !== undefined) finish(undefined, picked);
    };
    const onExit = (code: number | null): void =>
      finish(new Error(`app ${app.pid} exited (${code}) before answering`));
    function finish(error?: Error, value?: T): void {
      clearTimeout(timer);
      app.off('message', onMessage);
      app.off('exit', onExit);
      if (error) reject(error);
      else resolve(value as T);
    }
    app.on('message', onMessage);
    app.on('exit', onExit);
  });
}

/**
 * `processes` app processes, each booting Cello on the same database and
 * running {@link WORKERS_PER_PROCESS} concurrent units (append + 3-step saga),
 * measured over the same wall-clock window; the server's CPU share and wait
 * events are sampled over that window.
 */
export async function scaleOut(context: BenchContext, processes: number): Promise<Measurement> {
  const { warmupMs, durationMs } = context.quick
    ? { warmupMs: 400, durationMs: 1200 }
    : { warmupMs: 800, durationMs: 2500 };
  const apps = Array.from({ length: processes }, () =>
    fork(APP, [context.databaseUrl, String(WORKERS_PER_PROCESS)], {
      execArgv: ['-r', REGISTER],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    }),
  );
  try {
    await Promise.all(apps.map((app) => nextMessage(app, (m) => m.ready, BOOT_TIMEOUT_MS)));
    await context.checkpoint();
    const warmupUntil = Date.now() + 100 + warmupMs;
    const until = warmupUntil + durationMs;
    const results = apps.map((app) => nextMessage(app, (m) => m.done, BOOT_TIMEOUT_MS));
    for (const app of apps) app.send({ start: { warmupUntil, until } });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, warmupUntil - Date.now())));
    const sampler = await samplePostgresLoad(context.databaseUrl);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now())));
    const load = await sampler.stop();
    const done = await Promise.all(results);

    const latency = new LatencyRecorder();
    for (const d of done) for (const ns of d.latenciesNs) latency.record(ns);
    const rates = done.map((d) => d.units / d.seconds);
    const total = rates.reduce((a, b) => a + b, 0);
    const window = durationMs / 1000;
    const appCpuShare = done.reduce((a, d) => a + d.cpuSeconds, 0) / (window * os.cpus().length);
    return {
      value: total,
      extra: {
        ...latency.summary(),
        ...(load.pgCpuShare == null ? {} : { pgCpuShare: load.pgCpuShare }),
        appCpuShare,
        ...(load.machineCpuShare == null ? {} : { machineCpuShare: load.machineCpuShare }),
        activeBackends: load.activeBackends,
        lockWaiting: load.lockWaiting,
        lwlockWaiting: load.lwlockWaiting,
        ioWaiting: load.ioWaiting,
      },
      detail:
        `${done.reduce((a, d) => a + d.units, 0).toLocaleString('en-US')} orders (append + 3-step saga) by ` +
        `${processes} process${processes > 1 ? 'es' : ''} × ${WORKERS_PER_PROCESS} concurrent ` +
        `(per process ${rates.map((r) => Math.round(r).toLocaleString('en-US')).join(', ')}/s); ` +
        `top waits of active backends: ${load.topWaits || 'none sampled'}`,
    };
  } finally {
    await Promise.all(
      apps.map(
        (app) =>
          new Promise<void>((resolve) => {
            if (app.exitCode !== null || app.signalCode !== null) return resolve();
            const timer = setTimeout(() => app.kill('SIGKILL'), 10_000);
            app.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (app.connected) app.send({ exit: true });
            else app.kill('SIGKILL');
          }),
      ),
    );
  }
}
