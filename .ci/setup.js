#!/usr/bin/env node
/*
 * Idempotent setup used by `npm start` and `npm test`:
 *  - checks the Node version (22 or 24 declared; 20 works with engine warnings),
 *  - installs the committed package-lock.json when node_modules is missing or out of date
 *    (`npm install`, which keeps to the lockfile; `npm ci` is not used because it rejects a
 *    lockfile without other platforms' optional binaries — e.g. @swc/core-darwin-* — which
 *    registries mirroring only Linux builds cannot provide),
 *    building native modules (better-sqlite3) from source against the running Node's headers
 *    when their prebuilt download is unreachable,
 *  - with --with-system-packages, makes sure Debian's chromium, postgresql, redis-server and
 *    prometheus (with promtool) are present (installing them with apt-get when running as root),
 *    for the e2e and service tests; the tests start their own throwaway servers on loopback.
 * Nothing here downloads from anywhere but the configured npm registry and Debian's mirrors.
 */
const { execFileSync, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stampFile = path.join(root, 'node_modules', '.mesh-security-install');

function log(message) {
  process.stdout.write(`[setup] ${message}\n`);
}

function fail(message) {
  process.stderr.write(`[setup] error: ${message}\n`);
  process.exit(1);
}

function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) {
    fail(
      `Node ${process.versions.node} is too old; use Node 22 or 24 (see .nvmrc).`,
    );
  }
  if (major !== 22 && major !== 24) {
    log(
      `Node ${process.versions.node}: Backstage declares 22 || 24; continuing (engine warnings are expected).`,
    );
  }
}

/** The lockfile's digest and the Node ABI native modules were built for. */
function installStamp() {
  const lock = fs.readFileSync(path.join(root, 'package-lock.json'));
  const digest = crypto.createHash('sha256').update(lock).digest('hex');
  return `${digest} abi-${process.versions.modules}`;
}

/** Point node-gyp at the running Node's own headers so native builds need no download. */
function nativeBuildEnv() {
  const env = { ...process.env };
  if (!env.npm_config_nodedir) {
    const prefix = path.resolve(path.dirname(process.execPath), '..');
    if (fs.existsSync(path.join(prefix, 'include', 'node', 'node.h'))) {
      env.npm_config_nodedir = prefix;
    }
  }
  return env;
}

function ensureNodeModules() {
  const wanted = installStamp();
  const have = fs.existsSync(stampFile)
    ? fs.readFileSync(stampFile, 'utf8').trim()
    : '';
  if (have === wanted) {
    log('node_modules is up to date with package-lock.json.');
    return;
  }
  if (have && have.split(' ')[0] === wanted.split(' ')[0]) {
    // Same dependencies, another Node major (e.g. after `nvm use`): rebuild native modules.
    log(
      `Node ABI changed (${have.split(' ')[1]} → abi-${
        process.versions.modules
      }): rebuilding native modules…`,
    );
    const rebuilt = spawnSync('npm', ['rebuild', '--loglevel=error'], {
      cwd: root,
      stdio: 'inherit',
      env: nativeBuildEnv(),
    });
    if (rebuilt.status !== 0) fail('npm rebuild failed; see the output above.');
    fs.writeFileSync(stampFile, `${wanted}\n`);
    return;
  }
  // Installed by hand with `npm install` after the last lockfile change: npm's own hidden
  // lockfile is at least as new as package-lock.json, so the tree matches; just record it.
  const hiddenLock = path.join(root, 'node_modules', '.package-lock.json');
  if (
    !have &&
    fs.existsSync(hiddenLock) &&
    fs.statSync(hiddenLock).mtimeMs >=
      fs.statSync(path.join(root, 'package-lock.json')).mtimeMs
  ) {
    fs.writeFileSync(stampFile, `${wanted}\n`);
    log('node_modules matches package-lock.json (installed with npm install).');
    return;
  }
  log('Installing npm dependencies from package-lock.json…');
  const lockBefore = fs.readFileSync(
    path.join(root, 'package-lock.json'),
    'utf8',
  );
  const result = spawnSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: root, stdio: 'inherit', env: nativeBuildEnv() },
  );
  if (result.status !== 0) {
    fail('npm install failed; see the output above.');
  }
  if (
    fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8') !== lockBefore
  ) {
    // A clean clone must stay clean: the committed lockfile is what gets installed.
    const message =
      'npm changed package-lock.json: the committed lockfile is out of date ' +
      '(run `npm install` and commit package-lock.json).';
    if (process.env.CI) fail(message);
    log(`warning: ${message}`);
  }
  fs.writeFileSync(stampFile, `${wanted}\n`);
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

function postgresBinDir() {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return undefined;
  const versions = fs
    .readdirSync(base)
    .filter(v => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(base, versions[0], 'bin') : undefined;
}

function ensureSystemPackages() {
  const missing = [];
  if (!fs.existsSync('/usr/bin/chromium')) missing.push('chromium');
  if (!postgresBinDir()) missing.push('postgresql');
  if (!has('redis-server')) missing.push('redis-server');
  if (!has('prometheus') || !has('promtool')) missing.push('prometheus');
  if (missing.length === 0) {
    log(
      'Debian packages chromium, postgresql, redis-server and prometheus are present.',
    );
    return;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get')) {
    fail(
      `the tests need Debian packages: ${missing.join(
        ' ',
      )}. Install them with ` +
        `"sudo apt-get install -y ${missing.join(' ')}" and run again.`,
    );
  }
  log(`Installing Debian packages: ${missing.join(' ')}…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync(
    'apt-get',
    ['install', '-y', '-qq', '--no-install-recommends', ...missing],
    { stdio: 'inherit', env },
  );
}

checkNode();
ensureNodeModules();
if (process.argv.includes('--with-system-packages')) {
  ensureSystemPackages();
}
