// One measurement in its own process: `node bench/cqrs/measure.js <subject> <ms>`.
// Prints {"subject", "opsPerSecond"} as JSON on stdout.
'use strict';

require('../../scripts/register-ts');
const { subjects } = require('./subjects.ts');

async function main() {
  const [name, durationArg] = process.argv.slice(2);
  const make = subjects[name];
  if (!make) throw new Error(`unknown subject ${name}; known: ${Object.keys(subjects).join(', ')}`);
  const durationMs = Number(durationArg ?? 2000);
  const dispatch = await make();
  const batch = 10_000;
  const run = async (until) => {
    let ops = 0;
    while (process.hrtime.bigint() < until) {
      for (let i = 0; i < batch; i++) await dispatch();
      ops += batch;
    }
    return ops;
  };
  await run(process.hrtime.bigint() + BigInt(Math.max(500, durationMs / 4)) * 1_000_000n);
  const start = process.hrtime.bigint();
  const ops = await run(start + BigInt(durationMs) * 1_000_000n);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(`${JSON.stringify({ subject: name, opsPerSecond: ops / seconds })}\n`);
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
