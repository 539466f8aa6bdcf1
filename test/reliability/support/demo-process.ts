import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const REGISTER = './scripts/register-ts.js';
const SCRIPT = './test/reliability/support/demo-instance.ts';
const live = new Set<ChildProcess>();

/** A demo instance running in a child process. */
export interface DemoProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** Lines it wrote to stdout so far (its log). */
  readonly lines: string[];
  /** What it wrote to stderr so far. */
  readonly stderr: () => string;
  /** SIGKILL; resolves once it is gone. */
  kill(): Promise<void>;
}

/** Starts a demo instance on `databaseUrl`; resolves once it listens (bounded). */
export function startDemoProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<DemoProcess> {
  const child = spawn(process.execPath, ['-r', REGISTER, SCRIPT], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', DATABASE_URL: databaseUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void gone.then(() => live.delete(child));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await gone;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill();
      reject(new Error(`demo did not listen within ${timeoutMs} ms: ${errors}`));
    }, timeoutMs);
    const lines: string[] = [];
    let partial = '';
    let listening = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      const match = listening ? null : /^listening (\d+) (\d+)$/m.exec(parts.join('\n'));
      if (match) {
        listening = true;
        clearTimeout(timer);
        resolve({
          child,
          pid: Number(match[2]),
          base: `http://127.0.0.1:${match[1]}`,
          lines,
          stderr: () => errors,
          kill,
        });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`demo exited (${code ?? signal}) before listening: ${errors}`));
    });
  });
}

/** SIGKILLs every demo instance still running (a failed test must not leave them behind). */
export async function killDemoProcesses(): Promise<void> {
  const children = [...live];
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) =>
          child.exitCode !== null || child.signalCode !== null
            ? resolve()
            : child.once('exit', () => resolve()),
        ),
    ),
  );
}
