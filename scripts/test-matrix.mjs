// `npm test`'s runner: the whole jest suite on this machine's Node (its output
// shown as usual), then again on each pinned Node of another major (20, 22,
// 24, 26; see scripts/runtimes.mjs), whose output goes to
// .tmp/runtimes/<id>.log and is shown only when that run fails. Ends with one line per runtime (result and
// wall time) and a total. Bun and Deno run the smoke suite in pack-check.
//
//   node scripts/test-matrix.mjs [jest arguments...]      e.g. npm test -- spec/core
//
// LOMOND_RUNTIMES picks the extra runtimes: unset or "all", "none" (this Node
// only), or a list such as "node22,node26". Exits 1 when any run failed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRuntime, NODE_IDS, RUNTIMES, selected, unsupportedReason } from './runtimes.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const logs = join(root, '.tmp', 'runtimes');
const jestArgs = process.argv.slice(2);
mkdirSync(logs, { recursive: true });

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Runs jest under `node` (its bin folder first on PATH, so that tests that
 * spawn `node`/`npx` use the same one). Returns the counts from jest's JSON report.
 */
function runJest(id, node, showOutput) {
  const report = join(logs, `${id}.json`);
  rmSync(report, { force: true });
  const log = join(logs, `${id}.log`);
  const out = showOutput ? 'inherit' : openSync(log, 'w');
  const started = Date.now();
  const child = spawnSync(node, [jest, '--json', `--outputFile=${report}`, ...jestArgs], {
    cwd: root,
    stdio: ['ignore', out, out],
    env: { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` },
  });
  if (!showOutput) closeSync(out);
  const ms = Date.now() - started;
  let counts = null;
  try {
    counts = JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    // No report: jest itself failed to start; the log says why.
  }
  const ok = child.status === 0 && counts?.success === true;
  if (!ok && !showOutput) process.stdout.write(`\n# jest on ${id} failed; its output (${log}):\n${readFileSync(log, 'utf8')}\n`);
  return { ok, ms, counts, status: child.status ?? child.signal };
}

const rows = [];
const record = (label, result) => {
  const c = result.counts;
  const what = c
    ? `${c.numPassedTests} passed, ${c.numFailedTests} failed${c.numPendingTests + c.numTodoTests > 0 ? `, ${c.numPendingTests + c.numTodoTests} skipped` : ''}`
    : `jest did not report (exit ${result.status})`;
  rows.push({ label, ok: result.ok, what, ms: result.ms, counts: c });
};

let extra = [];
const unsupported = unsupportedReason();
try {
  // The machine's Node already covers its own major.
  extra = selected(NODE_IDS).filter((id) => RUNTIMES[id].version.split('.')[0] !== process.versions.node.split('.')[0]);
} catch (error) {
  console.error(error.message);
  process.exit(2);
}

record(`Node ${process.versions.node} (this machine)`, runJest(`node${process.versions.node}`, process.execPath, true));
if (extra.length > 0 && unsupported) {
  rows.push({ label: extra.join(', '), ok: true, skipped: true, what: `skipped: ${unsupported}`, ms: 0 });
  extra = [];
}
for (const id of extra) {
  let runtime;
  try {
    runtime = ensureRuntime(id);
  } catch (error) {
    rows.push({ label: id, ok: false, what: error.message, ms: 0 });
    continue;
  }
  if (runtime.installMs > 0) console.log(`# installed Node ${runtime.version} in ${seconds(runtime.installMs)}`);
  console.log(`# jest on Node ${runtime.version} (output in .tmp/runtimes/${id}.log)`);
  record(`Node ${runtime.version}`, runJest(id, runtime.path, false));
}

console.log('\njest on each Node:');
for (const row of rows) console.log(`  ${row.ok ? 'ok    ' : 'FAILED'} ${row.label.padEnd(28)} ${row.what.padEnd(40)} ${row.skipped ? '' : seconds(row.ms)}`);
const total = rows.reduce((sum, row) => ({ passed: sum.passed + (row.counts?.numPassedTests ?? 0), failed: sum.failed + (row.counts?.numFailedTests ?? 0) }), { passed: 0, failed: 0 });
const allOk = rows.every((row) => row.ok);
console.log(`matrix: ${total.passed} passed, ${allOk ? total.failed : Math.max(total.failed, 1)} failed`);
process.exitCode = allOk ? 0 : 1;
