#!/usr/bin/env node
// Summarizes a V8 .cpuprofile (from `npm run bench -- <workload> --profile`):
// self time by function, top N, with where it lives.
//   node bench/support/profile-summary.js bench/results/profiles/<file>.cpuprofile [N]
'use strict';

const fs = require('node:fs');
const path = require('node:path');

function summarize(file, top = 20) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map();
  for (const [id, micros] of self) {
    const { callFrame } = byId.get(id);
    const where = callFrame.url
      ? `${path.relative(process.cwd(), callFrame.url.replace('file://', ''))}:${callFrame.lineNumber + 1}`
      : '';
    const key = `${callFrame.functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  }
  return {
    totalMs: total / 1000,
    top: [...byFunction.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, ms: micros / 1000, share: micros / total })),
  };
}

if (require.main === module) {
  const [file, n] = process.argv.slice(2);
  const { totalMs, top } = summarize(file, Number(n ?? 20));
  console.log(`${path.basename(file)}: ${totalMs.toFixed(0)} ms sampled`);
  for (const row of top) {
    console.log(
      `${(row.share * 100).toFixed(1).padStart(5)}%  ${row.ms.toFixed(0).padStart(7)} ms  ${row.name}`,
    );
  }
}

module.exports = { summarize };
