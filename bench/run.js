#!/usr/bin/env node
// The benchmark suite (issue 8). `npm run bench` runs every workload;
// `npm run bench -- <workload> [...]` runs some. Options:
//   --runs N   measurements per subject (default 3, at least 3 for published figures)
//   --quick    short measurements, to check the harness; never published
//   --list     print the workloads and exit
//   --profile  write a CPU profile of the timed part of every Cello measurement to results/profiles/
//   --report   re-render RESULTS.md from results/latest.json and NOTES.md (after editing the notes)
// Each measurement runs in its own child process, on a fresh database with a
// CHECKPOINT first; subjects are alternated (forward, then reversed order).
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { fork, execFileSync } = require('node:child_process');

require('../scripts/register-ts');
const { workloads } = require('./workloads/catalogue.ts');
const { ensurePostgres } = require('../scripts/ensure-postgres');
const { createBenchDatabase, describeServer } = require('./support/database');
const { workloadEntry, markdownTable, detailTable, fmt } = require('./support/report');
const { standingChart } = require('./support/standing-chart.ts');

const ROOT = path.resolve(__dirname, '..');
const RESULTS_DIR = path.join(__dirname, 'results');
const CHILD_TIMEOUT_MS = 180_000;

function parseArgs(argv) {
  const options = { runs: 3, quick: false, list: false, report: false, profile: false, names: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--runs') options.runs = Number(argv[++i]);
    else if (arg === '--quick') options.quick = true;
    else if (arg === '--list') options.list = true;
    else if (arg === '--report') options.report = true;
    else if (arg === '--profile') options.profile = true;
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else options.names.push(arg);
  }
  if (!Number.isInteger(options.runs) || options.runs < 1)
    throw new Error('--runs needs a positive integer');
  return options;
}

function runChild(workload, subject, env, profile) {
  const execArgv = ['--expose-gc', '--max-old-space-size=6144'];
  if (profile && subject.role === 'cello') {
    const file = `${workload.name}.${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`;
    env = { ...env, BENCH_PROFILE_FILE: path.join(RESULTS_DIR, 'profiles', file) };
  }
  return new Promise((resolve) => {
    const child = fork(path.join(__dirname, 'support', 'child.js'), [workload.name, subject.name], {
      cwd: ROOT,
      execArgv,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let stderr = '';
    let message;
    child.stdout.on('data', () => undefined);
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('message', (m) => {
      message = m;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (message?.ok) resolve({ measurement: message.measurement });
      else if (message?.unavailable) resolve({ reason: message.unavailable, unavailable: true });
      else if (message?.error)
        resolve({ reason: `failed: ${message.error.split('\n').slice(0, 3).join(' / ')}` });
      else
        resolve({
          reason: `process ended (${signal ?? code}) without a result: ${stderr.trim().split('\n').slice(-3).join(' / ')}`,
        });
    });
  });
}

function packageVersion(name) {
  try {
    return require(path.join(ROOT, 'node_modules', name, 'package.json')).version;
  } catch {
    return null;
  }
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
  } catch {
    return null;
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.list) {
    for (const w of workloads) console.log(`${w.name.padEnd(24)} ${w.description}`);
    return;
  }
  if (options.report) {
    const result = JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, 'latest.json'), 'utf8'));
    const complete =
      result.workloads.length === workloads.length && !result.quick && result.runs_per_subject >= 3;
    const { mdPath, svgPath } = writeReport(result, result.workloads, complete);
    console.log(
      `wrote ${path.relative(ROOT, mdPath)} and ${path.relative(ROOT, svgPath)} from ${result.command} of ${result.started_at}`,
    );
    return;
  }
  const unknown = options.names.filter((n) => !workloads.some((w) => w.name === n));
  if (unknown.length) {
    throw new Error(
      `unknown workload(s) ${unknown.join(', ')}; known: ${workloads.map((w) => w.name).join(', ')}`,
    );
  }
  const selected = options.names.length
    ? workloads.filter((w) => options.names.includes(w.name))
    : workloads;
  const needsPostgres = selected.some((w) => w.postgres);
  const adminUrl = needsPostgres ? await ensurePostgres() : null;
  const server = adminUrl ? await describeServer(adminUrl) : null;

  const startedAt = new Date();
  const machine = {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: server,
    load_average_at_start: os.loadavg().map((v) => Number(v.toFixed(2))),
    versions: {
      '@nestjs/core': packageVersion('@nestjs/core'),
      '@nestjs/cqrs': packageVersion('@nestjs/cqrs'),
      '@event-driven-io/emmett': packageVersion('@event-driven-io/emmett'),
      '@event-driven-io/emmett-postgresql': packageVersion('@event-driven-io/emmett-postgresql'),
      pg: packageVersion('pg'),
    },
    commit: gitCommit(),
  };

  const env = { BENCH_QUICK: options.quick ? '1' : '0' };
  const entries = [];
  for (const workload of selected) {
    const t0 = Date.now();
    const runsBySubject = {};
    const skip = new Set();
    for (let run = 0; run < options.runs; run++) {
      const order = run % 2 === 0 ? workload.subjects : [...workload.subjects].reverse();
      for (const subject of order) {
        if (skip.has(subject.name)) continue;
        let database;
        if (workload.postgres) {
          database = await createBenchDatabase(adminUrl, `${workload.name}`);
          await database.checkpoint();
        }
        const result = await runChild(
          workload,
          subject,
          { ...env, BENCH_DATABASE_URL: database?.url ?? '' },
          options.profile,
        );
        if (database) await database.drop().catch(() => undefined);
        (runsBySubject[subject.name] ??= []).push(result);
        // An API that is not there will not appear in the next run either.
        if (result.unavailable) skip.add(subject.name);
        const shown = result.measurement
          ? `${fmt(result.measurement.value)} ${workload.unit}`
          : `null (${result.reason.split('\n')[0].slice(0, 160)})`;
        console.log(`  ${workload.name} #${run + 1} ${subject.name.padEnd(22)} ${shown}`);
      }
    }
    const entry = workloadEntry(workload, runsBySubject);
    entry.seconds = Math.round((Date.now() - t0) / 1000);
    entries.push(entry);
    console.log(
      `${workload.name}: cello ${fmt(entry.cello)}, vs best peer ${fmt(entry.ratio_vs_best_peer)}, vs ${entry.limit_name ?? 'ceiling'} ${fmt(entry.ratio_vs_limit)} (${entry.seconds} s)`,
    );
  }
  machine.load_average_at_end = os.loadavg().map((v) => Number(v.toFixed(2)));

  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const result = {
    machine,
    command,
    started_at: startedAt.toISOString(),
    seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    runs_per_subject: options.runs,
    quick: options.quick,
    workloads: entries,
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\n${markdownTable(entries)}\n`);
  const complete = selected.length === workloads.length && !options.quick && options.runs >= 3;
  const { mdPath, svgPath } = writeReport(result, entries, complete);
  console.log(
    `wrote ${path.relative(ROOT, path.join(RESULTS_DIR, 'latest.json'))}, ${path.relative(ROOT, mdPath)} and ${path.relative(ROOT, svgPath)} in ${result.seconds} s`,
  );
}

/**
 * A full run writes RESULTS.md and the chart it shows, standing.svg, next to
 * each other in bench/ (both committed); a partial run writes both into the
 * git-ignored results/, so that it never dirties the published pair.
 */
function writeReport(result, entries, complete) {
  const dir = complete ? __dirname : RESULTS_DIR;
  const mdPath = path.join(dir, complete ? 'RESULTS.md' : 'RESULTS.partial.md');
  const svgPath = path.join(dir, complete ? 'standing.svg' : 'standing.partial.svg');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(svgPath, standingChart(entries));
  fs.writeFileSync(mdPath, renderMarkdown(result, entries, path.basename(svgPath)));
  return { mdPath, svgPath };
}

function renderMarkdown(result, entries, chartFile) {
  const m = result.machine;
  const notesPath = path.join(__dirname, 'NOTES.md');
  const notes = fs.existsSync(notesPath) ? fs.readFileSync(notesPath, 'utf8').trim() : '';
  return `# Benchmark results

Generated by \`${result.command}\` on ${result.started_at} (${result.seconds} s, ${result.runs_per_subject} runs per subject, each in its own process, subjects alternated, fresh database and \`CHECKPOINT\` before each measurement). Higher is better. Figures are medians with min–max; latencies (p50 / p99 in ms of one operation during the timed part; lower is better) are medians over runs; ratios are of medians, with in brackets the range of the ratios of runs made next to each other (run i of both). **Ratios measured in the same run are what count** on this noisy machine. Do not edit: \`bench/NOTES.md\` is appended below.

## Machine
- ${m.cpus} × ${m.cpu_model}, ${m.memory_gb} GB RAM, ${m.os}; Node ${m.node}; commit ${m.commit ?? '?'}
- PostgreSQL ${m.postgres?.version ?? 'not used'}${
    m.postgres
      ? ` (${Object.entries(m.postgres.settings)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')})`
      : ''
  }
- Load average at start ${m.load_average_at_start.join(' / ')}, at end ${m.load_average_at_end.join(' / ')}
- Peers: ${Object.entries(m.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}

## Standing
![Cello's ratio against the best peer and against the limit, per workload, with the targets marked](${chartFile})

## Summary
${markdownTable(entries)}

## Every subject
${detailTable(entries)}

${notes}
`;
}

main().catch((error) => {
  console.error(`cello bench: ${error.message}`);
  process.exit(1);
});
