#!/usr/bin/env node
// CQRS dispatch micro-benchmark: `node bench/cqrs/dispatch.bench.js [--runs N] [--ms M]`.
// Every subject runs in its own process, subjects alternated (forward, then
// reversed), N runs each; prints medians with min–max and ratios to @nestjs/cqrs.
'use strict';

const path = require('node:path');
const { execFileSync } = require('node:child_process');

const SUBJECTS = [
  'bare-map',
  'native-route-table',
  'nestjs-cqrs-command',
  'cello-command',
  'cello-command-no-timeout',
  'cello-command-validated',
  'cello-command-full',
  'nestjs-cqrs-query',
  'cello-query',
  'cello-query-no-timeout',
];

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

function measure(subject, ms) {
  const out = execFileSync(
    process.execPath,
    [path.join(__dirname, 'measure.js'), subject, String(ms)],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(out.trim().split('\n').pop()).opsPerSecond;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main() {
  const runs = option('--runs', 3);
  const ms = option('--ms', 2000);
  const results = Object.fromEntries(SUBJECTS.map((s) => [s, []]));
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? SUBJECTS : [...SUBJECTS].reverse();
    for (const subject of order) results[subject].push(measure(subject, ms));
  }
  const med = Object.fromEntries(SUBJECTS.map((s) => [s, median(results[s])]));
  const ratio = (s) => {
    if (s.includes('query')) return med[s] / med['nestjs-cqrs-query'];
    return med[s] / med['nestjs-cqrs-command'];
  };
  console.log(
    `node ${process.version}, ${runs} runs x ${ms} ms per subject, ops/s (median, min-max)`,
  );
  console.log(
    'subject                     median ops/s     min–max                 vs @nestjs/cqrs  ns/op',
  );
  for (const s of SUBJECTS) {
    const xs = results[s];
    const fmt = (x) => Math.round(x).toLocaleString('en-US');
    console.log(
      `${s.padEnd(27)} ${fmt(med[s]).padStart(12)}   ${`${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`.padEnd(23)} ` +
        `${ratio(s).toFixed(2).padStart(6)}×        ${(1e9 / med[s]).toFixed(0)}`,
    );
  }
  console.log(
    `cello-command-no-timeout vs bare-map floor: ${(med['bare-map'] / med['cello-command-no-timeout']).toFixed(2)}× the floor's time`,
  );
}

main();
