import fs from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

/**
 * CPU profile of the timed part only (not start-up or set-up), written when
 * the harness runs with `--profile` (it sets BENCH_PROFILE_FILE for Cello's
 * measurements). Does nothing otherwise.
 */
let session: Session | undefined;

function post(method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) =>
    session!.post(method, params ?? {}, (error, result) =>
      error ? reject(error) : resolve(result),
    ),
  );
}

/** Starts profiling when asked to; call where timing starts. */
export async function startProfile(): Promise<void> {
  if (!process.env.BENCH_PROFILE_FILE || session) return;
  session = new Session();
  session.connect();
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
}

/** Stops profiling and writes the `.cpuprofile`; call where timing ends. */
export async function stopProfile(): Promise<void> {
  const file = process.env.BENCH_PROFILE_FILE;
  if (!file || !session) return;
  const { profile } = (await post('Profiler.stop')) as { profile: object };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
  session = undefined;
}
