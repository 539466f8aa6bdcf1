// Shared by the ensure-* scripts, which find or provision the services the tests
// need: one status line per service, a cross-process lock, and Debian installs.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function commandExists(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isRoot() {
  return process.getuid?.() === 0;
}

/** CELLO_TEST_NO_INSTALL=1 forbids installing system packages (apt-get). */
function installsForbidden(env = process.env) {
  return ['1', 'true', 'yes'].includes(String(env.CELLO_TEST_NO_INSTALL ?? '').toLowerCase());
}

/**
 * Whether a missing system package may be installed with apt, and if not why
 * (the reason ends up in the error a test file shows).
 */
function aptInstallDecision({ root, hasApt, forbidden }) {
  if (forbidden) return { install: false, reason: 'CELLO_TEST_NO_INSTALL is set' };
  if (!root) return { install: false, reason: 'not running as root' };
  if (!hasApt) return { install: false, reason: 'apt-get is not available' };
  return { install: true, reason: 'running as root with apt-get' };
}

function currentAptDecision() {
  return aptInstallDecision({
    root: isRoot(),
    hasApt: commandExists('apt-get'),
    forbidden: installsForbidden(),
  });
}

/** `cello: <service>: <message>` on stderr (stdout stays free for the CLI's URL). */
function status(service, message) {
  process.stderr.write(`cello: ${service}: ${message}\n`);
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * Runs `work` while holding a lock shared by every process of this user
 * (a directory made with mkdir, which is atomic). A lock whose holder died is
 * taken over; a live holder is waited for up to `timeoutMs`.
 */
async function withLock(name, work, { timeoutMs = 15 * 60_000 } = {}) {
  const lockDir = path.join(os.tmpdir(), `cello-${name}-${process.getuid?.() ?? 0}.lock`);
  const ownerFile = path.join(lockDir, 'pid');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(ownerFile, String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let holder = NaN;
      try {
        holder = Number(fs.readFileSync(ownerFile, 'utf8'));
      } catch {
        // Taken a moment ago and the pid not written yet, or left without one.
      }
      const age = Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if ((Number.isInteger(holder) && !processAlive(holder)) || (!holder && age > 10_000)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${lockDir} (held by process ${holder})`, {
          cause: err,
        });
      }
      await sleep(200);
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Installs Debian packages (`apt-get update`, then `apt-get install -y`),
 * one process at a time. A failed update is not fatal (the lists already there,
 * or packages already downloaded, may do); a failed install throws with apt's
 * last lines.
 */
async function aptInstall(packages) {
  await withLock('apt', async () => {
    const options = {
      encoding: 'utf8',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 10 * 60_000,
    };
    const apt = (args) => {
      // Another program may hold dpkg's lock: wait for it rather than fail.
      const result = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], options);
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n');
      return result.status === 0
        ? null
        : `apt-get ${args[0]} failed (${result.error?.message ?? `exit ${result.status}`}): ${output.slice(-3).join(' | ')}`;
    };
    const updateFailure = apt(['update', '-qq']);
    const installFailure = apt(['install', '-y', '-qq', ...packages]);
    if (installFailure) {
      throw new Error(
        `cannot install ${packages.join(' ')}: ${installFailure}${updateFailure ? `; before it, ${updateFailure}` : ''}`,
      );
    }
  });
}

/**
 * Root folder and version of an installed package, found from its entry point
 * (its `exports` may hide package.json from require.resolve).
 */
function installedPackage(name, paths) {
  let dir;
  try {
    dir = path.dirname(require.resolve(name, paths ? { paths } : undefined));
  } catch {
    return null;
  }
  for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const { name: found, version } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      if (found === name) return { root: dir, version };
    }
  }
  return null;
}

module.exports = {
  aptInstall,
  installedPackage,
  aptInstallDecision,
  commandExists,
  currentAptDecision,
  installsForbidden,
  isRoot,
  sleep,
  status,
  withLock,
};
