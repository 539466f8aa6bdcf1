import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { Client } from 'pg';

/**
 * Where a PostgreSQL workload's limit is, seen from the server: the CPU time
 * its backends used (from `/proc/<pid>/stat`, so only for a server on this
 * machine) and what its active backends were waiting for (`pg_stat_activity`
 * sampled every `intervalMs`: `Lock` is a heavyweight lock wait, `LWLock` and
 * `IO` mostly the WAL, none means on CPU).
 */
export interface PostgresLoad {
  /** CPU time of the database's backends over the window, as a share of the machine (all cores). */
  readonly pgCpuShare: number | null;
  /** Busy share of all cores over the window, whoever used them (`/proc/stat`): the rest was idle. */
  readonly machineCpuShare: number | null;
  /** Mean number of active backends per sample. */
  readonly activeBackends: number;
  /** Mean number of backends per sample waiting on a heavyweight lock (`wait_event_type = 'Lock'`). */
  readonly lockWaiting: number;
  /** Mean number per sample waiting on a lightweight lock (`LWLock`, e.g. `WALWrite`). */
  readonly lwlockWaiting: number;
  /** Mean number per sample waiting on IO (e.g. `WALSync`). */
  readonly ioWaiting: number;
  /** Mean number per sample on CPU (active, no wait event). */
  readonly onCpu: number;
  /** The most frequent wait events, e.g. `IO:WALSync 41%` (share of active-backend samples). */
  readonly topWaits: string;
  readonly samples: number;
}

const SAMPLE_SQL = `SELECT pid, state, wait_event_type, wait_event FROM pg_stat_activity
  WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`;

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime of a process in clock ticks, or null when it cannot be read (gone, not local). */
function cpuTicks(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/** Busy and total jiffies of all cores since boot, or null off Linux. */
function machineTicks(): { busy: number; total: number } | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((a, b) => a + b, 0);
    // idle and iowait are not busy.
    return { busy: total - values[3] - (values[4] ?? 0), total };
  } catch {
    return null;
  }
}

/** Samples the database of `databaseUrl` from now until `stop()` resolves the figures. */
export async function samplePostgresLoad(
  databaseUrl: string,
  { intervalMs = 100 }: { intervalMs?: number } = {},
): Promise<{ sampled(): number; stop(): Promise<PostgresLoad> }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const started = process.hrtime.bigint();
  const backends = (await client.query<{ pid: number }>(SAMPLE_SQL)).rows.map((r) => r.pid);
  const ticksBefore = new Map(backends.map((pid) => [pid, cpuTicks(pid)]));
  const machineBefore = machineTicks();
  let samples = 0;
  let active = 0;
  const byType = new Map<string, number>();
  const byEvent = new Map<string, number>();
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const { rows } = await client.query<{
        state: string | null;
        wait_event_type: string | null;
        wait_event: string | null;
      }>(SAMPLE_SQL);
      samples++;
      for (const row of rows) {
        if (row.state !== 'active') continue;
        active++;
        const type = row.wait_event_type ?? 'CPU';
        byType.set(type, (byType.get(type) ?? 0) + 1);
        const event = row.wait_event_type ? `${row.wait_event_type}:${row.wait_event}` : 'CPU';
        byEvent.set(event, (byEvent.get(event) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    sampled: () => samples,
    stop: async () => {
      stopping = true;
      await loop;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // A backend a pool opened during the window spent all its CPU time in it.
      const now = (await client.query<{ pid: number }>(SAMPLE_SQL)).rows.map((r) => r.pid);
      for (const pid of now) if (!ticksBefore.has(pid)) ticksBefore.set(pid, 0);
      let ticks = 0;
      let readable = 0;
      for (const [pid, before] of ticksBefore) {
        const after = cpuTicks(pid);
        if (before == null || after == null) continue;
        ticks += after - before;
        readable++;
      }
      const machineAfter = machineTicks();
      await client.end();
      const perSample = (n: number): number => (samples ? n / samples : 0);
      const topWaits = [...byEvent.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([event, n]) => `${event} ${Math.round((100 * n) / Math.max(1, active))}%`)
        .join(', ');
      return {
        pgCpuShare:
          readable > 0 ? ticks / clockTicksPerSecond() / (seconds * os.cpus().length) : null,
        machineCpuShare:
          machineBefore && machineAfter && machineAfter.total > machineBefore.total
            ? (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)
            : null,
        activeBackends: perSample(active),
        lockWaiting: perSample(byType.get('Lock') ?? 0),
        lwlockWaiting: perSample(byType.get('LWLock') ?? 0),
        ioWaiting: perSample(byType.get('IO') ?? 0),
        onCpu: perSample(byType.get('CPU') ?? 0),
        topWaits,
        samples,
      };
    },
  };
}
