// Freezing a private PostgreSQL server (SIGSTOP): it answers nothing and closes
// nothing, like a partitioned network or a stalled disk.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * The process ids of a PostgreSQL server (postmaster and its children), found
 * from its own data directory: the server this test started, nothing else.
 */
export async function serverProcesses(url: string): Promise<number[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ setting: string }>(
      `SELECT setting FROM pg_settings WHERE name = 'data_directory'`,
    );
    const postmaster = Number(
      readFileSync(join(rows[0].setting, 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], {
      encoding: 'utf8',
    })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => pid > 0);
    return [postmaster, ...children];
  } finally {
    await client.end();
  }
}

/** Sends `name` to each process; one that exited meanwhile is skipped. */
export function signal(pids: readonly number[], name: 'SIGSTOP' | 'SIGCONT'): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // A backend that exited meanwhile.
    }
  }
}
