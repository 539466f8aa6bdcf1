import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const live = new Set<ChildProcess>();

/** A relay instance in a child process. */
export interface RelayProcess {
  readonly pid: number;
  /** What it wrote so far (stdout and stderr). */
  readonly output: () => string;
  /** SIGKILL; resolves once it is gone. */
  kill(): Promise<void>;
}

/** Starts test/relay/support/relay-instance.ts; resolves once it booted (bounded). */
export function startRelayProcess(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<RelayProcess> {
  const child = spawn(
    process.execPath,
    ['-r', './scripts/register-ts.js', './test/relay/support/relay-instance.ts'],
    {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  live.add(child);
  let output = '';
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void gone.then(() => live.delete(child));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await gone;
  };
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill();
      reject(new Error(`relay did not boot within ${timeoutMs} ms: ${output}`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/^ready \d+$/m.test(output)) {
        clearTimeout(timer);
        resolve({ pid: child.pid!, output: () => output, kill });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`relay exited (${code ?? signal}) before booting: ${output}`));
    });
  });
}

/** SIGKILLs every relay still running (a failed test must not leave them behind). */
export async function killRelayProcesses(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
