import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** A running worker child and what it printed so far. */
export interface Worker {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
}

const REGISTER = path.join(__dirname, '../../../scripts/register-ts.js');
const live = new Set<ChildProcess>();

/** Kills workers still running (a failed test must not leave them behind). */
export function killWorkers(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}
const SCRIPT = path.join(__dirname, 'order-saga-worker.ts');

/** Spawns `node -r ./scripts/register-ts.js order-saga-worker.ts <args>` with stdout captured. */
export function spawnWorker(args: string[]): Worker {
  return spawnScript(SCRIPT, args);
}

/** Spawns `node -r ./scripts/register-ts.js <script> <args>` with stdout captured; `killWorkers` ends it. */
export function spawnScript(script: string, args: string[]): Worker {
  const child = spawn(process.execPath, ['-r', REGISTER, script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  live.add(child);
  const lines: string[] = [];
  let stderr = '';
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      live.delete(child);
      if (code) process.stderr.write(`worker ${args.join(' ')} exited ${code}: ${stderr}\n`);
      resolve(code ?? signal ?? -1);
    }),
  );
  return { child, lines, exited };
}
