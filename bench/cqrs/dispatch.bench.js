#!/usr/bin/env node
// CQRS dispatch micro-benchmark:
// `node bench/cqrs/dispatch.bench.js [--runs N] [--ms M] [--cpu] [--only a,b,...]`.
// Every subject runs in its own process, subjects alternated (forward, then
// reversed), N runs each; prints medians with min–max and ratios to @nestjs/cqrs.
// `--cpu` rates by the process's CPU time instead of wall time: steadier when
// other work shares the machine (a descheduled process burns no CPU time).
'use strict';

const path = require('node:path');
const { execFileSync } = require('node:child_process');

const SUBJECTS = [
  'bare-map',
  'bare-map-timed',
  'bare-map-timed-limit',
  'native-route-table',
  'nestjs-cqrs-command',
  'cello-command',
  'cello-command-no-timeout',
  'cello-command-correlated',
  'cello-command-validated',
  'cello-command-metrics',
  'cello-command-metrics-limit',
  'cello-command-full',
  'nestjs-cqrs-query',
  'cello-query',
  'cello-query-no-timeout',
];

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

const CPU = process.argv.includes('--cpu');

function measure(subject, ms) {
  const out = execFileSync(
    process.execPath,
    [path.join(__dirname, 'measure.js'), subject, String(ms)],
    {
      encoding: 'utf8',
    },
  );
  const result = JSON.parse(out.trim().split('\n').pop());
  return CPU ? result.cpuOpsPerSecond : result.opsPerSecond;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The @nestjs/cqrs subject each subject is compared with. */
const baselineOf = (subject) =>
  subject.includes('query') ? 'nestjs-cqrs-query' : 'nestjs-cqrs-command';

function main() {
  const only = process.argv.indexOf('--only');
  if (only !== -1) {
    const wanted = new Set(process.argv[only + 1].split(','));
    for (const s of ['bare-map', 'cello-command-no-timeout', 'nestjs-cqrs-command']) wanted.add(s);
    if ([...wanted].some((s) => s.includes('query'))) wanted.add('nestjs-cqrs-query');
    SUBJECTS.splice(0, SUBJECTS.length, ...SUBJECTS.filter((s) => wanted.has(s)));
  }
  const runs = option('--runs', 5);
  const ms = option('--ms', 1000);
  const results = Object.fromEntries(SUBJECTS.map((s) => [s, []]));
  // Ratios are taken within a round (a few seconds apart), so load from other
  // processes on this shared machine mostly cancels out; their median is reported.
  const ratios = Object.fromEntries(SUBJECTS.map((s) => [s, []]));
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? SUBJECTS : [...SUBJECTS].reverse();
    const round = {};
    for (const subject of order) round[subject] = measure(subject, ms);
    for (const subject of SUBJECTS) {
      results[subject].push(round[subject]);
      ratios[subject].push(round[subject] / round[baselineOf(subject)]);
    }
  }
  const fmt = (x) => Math.round(x).toLocaleString('en-US');
  console.log(
    `node ${process.version}, ${runs} rounds x ${ms} ms per subject, each in its own process` +
      (CPU ? ', rated by CPU time' : ''),
  );
  console.log(
    'subject                      median ops/s   min–max ops/s            ratio vs @nestjs/cqrs (median, min–max)',
  );
  for (const s of SUBJECTS) {
    const xs = results[s];
    const rs = ratios[s];
    console.log(
      `${s.padEnd(28)} ${fmt(median(xs)).padStart(12)}   ${`${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`.padEnd(24)} ` +
        `${median(rs).toFixed(2)}× (${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)})`,
    );
  }
  const floor = results['bare-map'].map((x, i) => x / results['cello-command-no-timeout'][i]);
  console.log(
    `cello-command-no-timeout takes ${median(floor).toFixed(2)}× the time of the bare Map floor (median of rounds)`,
  );
}

main();
