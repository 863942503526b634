// The Angular example (examples/angular), built and tested as its users would:
// the packed lomond installed into a real Angular 21 workspace, `ng build`,
// `ng test` (TestBed marble specs on lomond/testing, Vitest + jsdom), and the
// built app in headless Chromium against a local ticker server (ticks render;
// after a server drop, persist reconnects and the new ticks render).
//
//   node scripts/angular-check.mjs [--no-build] [--keep]
//
// --no-build packs the dist/ already there (npm pack --ignore-scripts), e.g. right after pack-check.
// The workspace's dependencies (Angular, Vitest, jsdom, puppeteer-core, ws) are
// never part of lomond's own dependency tree: they are installed once per
// examples/angular/package-lock.json into a cache outside the project
// ($LOMOND_ANGULAR_CACHE, else $XDG_CACHE_HOME/lomond-angular, else
// ~/.cache/lomond-angular), and each run works in a scratch copy whose
// node_modules hard-links that install, with the freshly packed lomond added.
// It runs on the pinned Node 22 (scripts/runtimes.mjs): puppeteer-core needs
// Node >= 22. Skips, saying why, without /usr/bin/chromium (or $LOMOND_CHROMIUM)
// or where the pinned runtimes cannot run. Ends with "angular: N passed, N failed".
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRuntime, unsupportedReason } from './runtimes.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(root, 'examples', 'angular');
const chromium = process.env.LOMOND_CHROMIUM ?? '/usr/bin/chromium';
const results = [];

function finish() {
  const failed = results.filter((r) => r === 'failed').length;
  const skipped = results.filter((r) => r === 'skipped').length;
  console.log(`angular: ${results.length - failed - skipped} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  process.exitCode = failed === 0 ? 0 : 1;
}

function step(label, fn) {
  const started = Date.now();
  try {
    const note = fn();
    results.push('passed');
    console.log(`ok - ${label} (${((Date.now() - started) / 1000).toFixed(1)} s${note ? `, ${note}` : ''})`);
    return true;
  } catch (error) {
    results.push('failed');
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    console.log(`not ok - ${label}\n  ${(output || error.message).replace(/\n/g, '\n  ')}`);
    return false;
  }
}

const skip = unsupportedReason() ?? (existsSync(chromium) ? null : `no chromium at ${chromium}: apt-get install chromium, or set LOMOND_CHROMIUM`);
if (skip) {
  results.push('skipped');
  console.log(`ok - Angular example # SKIP ${skip}`);
  finish();
  process.exit();
}

const node = ensureRuntime('node22').path;
const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`, NG_CLI_ANALYTICS: 'false', CI: '1', CHROMIUM: chromium, NO_COLOR: '1' };
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });

const cacheRoot = process.env.LOMOND_ANGULAR_CACHE ? resolve(process.env.LOMOND_ANGULAR_CACHE) : join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lomond-angular');
const lock = readFileSync(join(example, 'package-lock.json'));
const installed = join(cacheRoot, createHash('sha256').update(lock).digest('hex').slice(0, 16));
mkdirSync(cacheRoot, { recursive: true });
const work = mkdtempSync(join(cacheRoot, 'work-'));

try {
  const ready = step('the workspace dependencies are installed (npm ci, cached per package-lock.json)', () => {
    if (existsSync(join(installed, 'node_modules', '@angular', 'core', 'package.json'))) return `cached in ${installed}`;
    const scratch = mkdtempSync(join(cacheRoot, 'install-'));
    for (const file of ['package.json', 'package-lock.json']) cpSync(join(example, file), join(scratch, file));
    run('npm', ['ci', '--no-audit', '--no-fund'], scratch);
    rmSync(installed, { recursive: true, force: true });
    renameSync(scratch, installed); // whole or not at all: a concurrent or interrupted run never sees half an install
    return `installed into ${installed}`;
  });
  const packed =
    ready &&
    step('lomond is packed (npm pack; its prepack builds dist/ unless --no-build) into a scratch copy of the workspace', () => {
      cpSync(example, work, { recursive: true, filter: (source) => !/[/\\](node_modules|dist|\.angular|out-tsc)$/.test(source) });
      run('cp', ['-al', join(installed, 'node_modules'), join(work, 'node_modules')], work);
      const noBuild = process.argv.includes('--no-build');
      if (noBuild && !existsSync(join(root, 'dist', 'esm', 'browser.js'))) throw new Error('--no-build: there is no dist/ to pack (run npm run build)');
      const [{ filename }] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work, ...(noBuild ? ['--ignore-scripts'] : [])], root));
      mkdirSync(join(work, 'node_modules', 'lomond'));
      run('tar', ['xzf', join(work, filename), '-C', join(work, 'node_modules', 'lomond'), '--strip-components=1'], work);
      return filename;
    });
  const ng = join(work, 'node_modules', '@angular', 'cli', 'bin', 'ng.js');
  const built =
    packed &&
    step('ng build (production)', () => {
      const total = run(node, [ng, 'build'], work).match(/Initial total\s*\|\s*([\d.]+ kB)\s*\|\s*([\d.]+ kB)/);
      return total ? `initial total ${total[1]}, ${total[2]} transferred` : '';
    });
  if (packed) step('ng test: the TestBed marble specs of TickerService and App (Vitest, jsdom)', () => run(node, [ng, 'test', '--watch=false'], work).match(/Tests\s+.*$/m)?.[0]);
  if (built) {
    step('the built app in headless Chromium against a local ticker server (e2e/ticker.e2e.mjs)', () => {
      const out = run(node, [join(work, 'e2e', 'ticker.e2e.mjs')], work);
      console.log(out.trim().replace(/^/gm, '  '));
      return out.trim().split('\n').at(-1);
    });
  }
} finally {
  if (process.argv.includes('--keep')) console.log(`# kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
finish();
