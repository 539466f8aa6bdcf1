// One measurement in its own process: `node child.js <workload> <subject>`.
// Reports one message to the parent over IPC and exits, whatever handles the
// subject left open (pools, timers), so that nothing leaks into the next run.
'use strict';

require('../../scripts/register-ts');
const { Client } = require('pg');
const { findWorkload } = require('../workloads/catalogue.ts');

function send(message) {
  return new Promise((resolve) => process.send(message, () => resolve()));
}

async function checkpoint(url) {
  if (!url) return;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}

async function main() {
  const [workloadName, subjectName] = process.argv.slice(2);
  const workload = findWorkload(workloadName);
  const subject = workload.subjects.find((s) => s.name === subjectName);
  if (!subject) throw new Error(`workload ${workloadName} has no subject ${subjectName}`);
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? '';
  const context = {
    databaseUrl,
    quick: process.env.BENCH_QUICK === '1',
    checkpoint: () => checkpoint(databaseUrl),
  };
  try {
    const measurement = await subject.run(context);
    await send({ ok: true, measurement });
  } catch (error) {
    if (error && error.notAvailable) {
      await send({ ok: false, unavailable: error.message });
    } else {
      await send({ ok: false, error: (error && error.stack) || String(error) });
    }
  }
}

main().then(
  () => process.exit(0),
  async (error) => {
    await send({ ok: false, error: (error && error.stack) || String(error) }).catch(
      () => undefined,
    );
    process.exit(1);
  },
);
