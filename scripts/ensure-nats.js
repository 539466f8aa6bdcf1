#!/usr/bin/env node
// Finds a NATS server with JetStream, by the same rule as the other services
// (not used by the tests yet; ready for the first that needs one):
// 1. NATS_URL, when set, is used as it is.
// 2. Otherwise the server this script started before, when it still answers
//    (its port and pid are kept in <dir>/server.json).
// 3. Otherwise Debian's nats-server, installed first when missing and the run is
//    root with apt-get (CELLO_TEST_NO_INSTALL=1 forbids it), is started with -js on a
//    free port of 127.0.0.1, detached, and left running for the next run.
// It prints one status line saying what it used, and throws, saying how to
// provide a server, when none can be had.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const {
  aptInstall,
  commandExists,
  currentAptDecision,
  sleep,
  status,
  withLock,
} = require('./provision-support');

const HOW_TO =
  'Set NATS_URL to a NATS server with JetStream (e.g. nats://127.0.0.1:4222), or install ' +
  "Debian's nats-server (apt-get install nats-server) so that the test harness can start it.";

/** Resolves to the server's INFO (parsed) when `url` speaks NATS, else to null. */
function natsInfo(url, timeoutMs = 2000) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 4222) });
    let buffer = '';
    const done = (info) => {
      socket.destroy();
      resolve(info);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.on('error', () => done(null));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const line = buffer.split('\r\n')[0];
      if (!buffer.includes('\r\n')) return;
      try {
        done(line.startsWith('INFO ') ? JSON.parse(line.slice(5)) : null);
      } catch {
        done(null);
      }
    });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function natsBinary() {
  if (commandExists('nats-server')) return 'nats-server';
  return fs.existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : null;
}

function defaultDir() {
  return path.join(os.tmpdir(), `cello-nats-${process.getuid?.() ?? 0}`);
}

async function startServer(binary, dir) {
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const storeDir = path.join(dir, 'jetstream');
  fs.mkdirSync(storeDir, { recursive: true });
  // Detached, so that it outlives the process that started it (jest's global setup).
  const child = spawn(
    binary,
    [
      '-js',
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '-sd',
      storeDir,
      '-l',
      path.join(dir, 'server.log'),
    ],
    { detached: true, stdio: 'ignore', cwd: dir },
  );
  child.unref();
  for (let i = 0; i < 150; i++) {
    const info = await natsInfo(url, 500);
    if (info) {
      fs.writeFileSync(path.join(dir, 'server.json'), JSON.stringify({ port, pid: child.pid }));
      return { url, info };
    }
    if (child.exitCode !== null) break;
    await sleep(200);
  }
  child.kill();
  const log = path.join(dir, 'server.log');
  const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').slice(-2) : [];
  throw new Error(
    `nats-server did not start on ${url}${tail.length ? `: ${tail.join(' | ')}` : ''}`,
  );
}

async function runningServer(dir) {
  try {
    const { port } = JSON.parse(fs.readFileSync(path.join(dir, 'server.json'), 'utf8'));
    const url = `nats://127.0.0.1:${port}`;
    const info = await natsInfo(url);
    return info?.jetstream ? url : null;
  } catch {
    return null;
  }
}

/**
 * Resolves to the URL of a NATS server with JetStream. For tests of the steps:
 * `options.dir` replaces the folder of the started server, `options.decision`
 * and `options.install` the apt decision and the install itself.
 */
async function ensureNats(options = {}) {
  const report = options.status ?? status;
  if (process.env.NATS_URL) {
    if (!(await natsInfo(process.env.NATS_URL))) {
      throw new Error(`cannot reach NATS at NATS_URL (${process.env.NATS_URL}). ${HOW_TO}`);
    }
    report('nats', 'using NATS_URL');
    return process.env.NATS_URL;
  }
  const dir = options.dir ?? defaultDir();
  const running = await runningServer(dir);
  if (running) {
    report('nats', `using the server started before at ${running}`);
    return running;
  }
  return withLock(`nats-${path.basename(dir)}`, async () => {
    const again = await runningServer(dir);
    if (again) {
      report('nats', `using the server started before at ${again}`);
      return again;
    }
    const did = [];
    let binary = natsBinary();
    if (!binary) {
      const decision = options.decision ?? currentAptDecision();
      if (!decision.install) {
        throw new Error(
          `no nats-server installed; not installing it: ${decision.reason}. ${HOW_TO}`,
        );
      }
      await (options.install ?? (() => aptInstall(['nats-server'])))();
      did.push('installed nats-server with apt-get');
      binary = natsBinary();
      if (!binary)
        throw new Error(`installed nats-server with apt-get, but it is not there. ${HOW_TO}`);
    }
    fs.mkdirSync(dir, { recursive: true });
    const { url, info } = await startServer(binary, dir);
    did.push(`started nats-server ${info.version} with JetStream at ${url}`);
    report('nats', did.join(', '));
    return url;
  });
}

/** Stops the server this script started in `dir`, if it runs. */
function stopNats(options = {}) {
  const dir = options.dir ?? defaultDir();
  try {
    const { pid } = JSON.parse(fs.readFileSync(path.join(dir, 'server.json'), 'utf8'));
    process.kill(pid, 'SIGTERM');
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(path.join(dir, 'server.json'), { force: true });
  }
}

module.exports = { ensureNats, natsInfo, stopNats };

// `node scripts/ensure-nats.js` prints the URL; `--stop` stops the server it started.
if (require.main === module) {
  if (process.argv.includes('--stop')) {
    status('nats', stopNats() ? 'stopped the server' : 'no server of ours was running');
    return;
  }
  ensureNats().then(
    (url) => console.log(url),
    (err) => {
      console.error(`cello: ${err.message}`);
      process.exit(1);
    },
  );
}
