#!/usr/bin/env node
// `npm run soak -- --minutes N` (default 5): the long versions of the
// reliability tests, bounded in time, not part of `npm test`:
// - test/soak/soak.soak-spec.ts: the demo SIGKILLed at least 20 times under
//   traffic, database outages on a private PostgreSQL, 2 and 4 instances on one
//   database with the subscription holder killed each round;
// - test/soak/poison-input.soak-spec.ts: good and poisoned requests (lone
//   surrogates, NUL, oversized numbers, malformed JSON) mixed, for a fifth of
//   the demo minutes (at least 30 s): no 5xx, every poisoned one 400;
// - test/reliability/concurrency-postgres.int-spec.ts: 64 writers racing;
// - test/reliability/hostile-http-input.e2e-spec.ts with more runs per property;
// - test/reliability/outage-sagas-subscribers.e2e-spec.ts with more stop/start cycles;
// - test/soak/corrupt-row.soak-spec.ts: corrupt saga rows keep arriving among
//   healthy sagas, 2 instances (its own budget, CELLO_CORRUPT_ROW_SOAK_MINUTES).
// Every phase prints `[reliability] ... key=value` lines; this script adds them
// up and prints appends, conflicts, crashes and outages survived, inputs tried,
// lost and duplicated. Exits non-zero when a test failed or anything was lost
// or duplicated.
'use strict';

const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function parseMinutes(argv) {
  const at = argv.findIndex((arg) => arg === '--minutes' || arg.startsWith('--minutes='));
  if (at === -1) return 5;
  const raw = argv[at].includes('=') ? argv[at].split('=')[1] : argv[at + 1];
  const minutes = Number(raw);
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 240) {
    console.error(`--minutes must be a number from 0 (exclusive) to 240, got "${raw}"`);
    process.exit(2);
  }
  return minutes;
}

const minutes = parseMinutes(process.argv.slice(2));
// The other helpers' files take about 1.5 minutes; the rest goes to the demo phases.
const demoMinutes = Math.max(minutes - 1.5, minutes * 0.5);
// Hard stop: the crash phase runs at least 20 crashes whatever the budget (about 2 minutes).
const hardLimitMs = (Math.max(minutes, 3) * 2 + 5) * 60_000;

const files = [
  'test/soak/soak.soak-spec.ts',
  'test/soak/poison-input.soak-spec.ts',
  'test/reliability/concurrency-postgres.int-spec.ts',
  'test/reliability/hostile-http-input.e2e-spec.ts',
  'test/reliability/outage-sagas-subscribers.e2e-spec.ts',
  'test/soak/corrupt-row.soak-spec.ts',
];
const jest = path.join(root, 'node_modules', '.bin', 'jest');
const args = [
  '--runInBand',
  '--testMatch',
  ...files.map((file) => `<rootDir>/${file}`),
  '--testTimeout',
  String(hardLimitMs),
];

console.log(
  `soak: ${minutes} minute(s); demo phases ${demoMinutes.toFixed(1)} min; hard stop ${hardLimitMs / 60_000} min`,
);
const started = Date.now();
// Its own process group, so the hard stop also ends the demo processes it spawned.
const child = spawn(jest, args, {
  cwd: root,
  detached: true,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: {
    ...process.env,
    CELLO_RELIABILITY_REPORT: '1',
    CELLO_SOAK_MINUTES: String(demoMinutes),
    CELLO_HOSTILE_RUNS: process.env.CELLO_HOSTILE_RUNS ?? '400',
    CELLO_OUTAGE_CYCLES: process.env.CELLO_OUTAGE_CYCLES ?? '2',
    CELLO_CORRUPT_ROW_SOAK_MINUTES: String(Math.min(2, minutes * 0.2)),
  },
});

const reports = [];
let partial = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const lines = (partial + chunk.toString()).split('\n');
  partial = lines.pop();
  for (const line of lines) {
    const at = line.indexOf('[reliability] ');
    if (at !== -1) reports.push(line.slice(at + '[reliability] '.length));
  }
});

let timedOut = false;
const hardStop = setTimeout(() => {
  timedOut = true;
  console.error(`soak: hard stop after ${hardLimitMs / 60_000} minutes`);
  process.kill(-child.pid, 'SIGKILL');
}, hardLimitMs);

function sum(key) {
  let total = 0;
  for (const report of reports) {
    const match = new RegExp(`(?:^|\\s)${key}=(\\d+)`).exec(report);
    if (match) total += Number(match[1]);
  }
  return total;
}

child.on('exit', (code, signal) => {
  clearTimeout(hardStop);
  const counts = {
    appends: sum('appends'),
    conflicts: sum('conflicts'),
    'crashes survived': sum('crashes'),
    'outages survived': sum('outages') + sum('survived'),
    'inputs tried': sum('tried'),
    'idempotent re-sends': sum('resends'),
    lost: sum('lost'),
    duplicated: sum('duplicated') + sum('doubled'),
  };
  const elapsed = ((Date.now() - started) / 60_000).toFixed(1);
  console.log(`\nsoak finished in ${elapsed} min (jest ${signal ?? `exit ${code}`})`);
  for (const [name, value] of Object.entries(counts)) console.log(`  ${name}: ${value}`);
  const ok = code === 0 && !timedOut && counts.lost === 0 && counts.duplicated === 0;
  console.log(ok ? 'soak: OK' : 'soak: FAILED');
  process.exit(ok ? 0 : 1);
});
