// One measurement in its own process: `node bench/cqrs/measure.js <subject> <ms>`.
// Prints {"subject", "opsPerSecond", "cpuOpsPerSecond"} as JSON on stdout (the second
// rated by the process's CPU time, which other processes on the machine disturb less).
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
  const cpuAtStart = process.cpuUsage();
  const ops = await run(start + BigInt(durationMs) * 1_000_000n);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const result = { subject: name, opsPerSecond: ops / seconds, cpuOpsPerSecond: ops / cpuSeconds };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
