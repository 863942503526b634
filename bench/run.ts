/**
 * `npm run bench`: lomond against ws (plain, with bufferutil, corked per
 * tick), Node's built-in WebSocket, rxjs webSocket() and a raw socket, each in
 * its own client process, against one local server process (TCP and TLS).
 * Writes bench/RESULTS.md (see its Method section, or bench/report.ts).
 *
 *   npm run bench                     the full run (~6 minutes on a quiet 2-core machine)
 *   BENCH_QUICK=1 npm run bench       fewer and shorter samples: a smoke test
 *   BENCH_ROWS='receive binary'       only the rows whose label matches (a case-insensitive regular expression)
 *   BENCH_REPEATS, BENCH_SAMPLE_MS    repeats per row, target sample length
 *   BENCH_CLIENT_FLAGS='--trace-gc'   extra node flags for every client process
 *   BENCH_IDLE_CONNECTIONS=10000      the idle rows with 10,000 connections (default 1,000)
 *   BENCH_BASELINE=$PWD/.tmp/base/cjs  A/B: another lomond build (a copy of an earlier dist/cjs) as the extra contender lomond-baseline
 *   npm run bench:profile             CPU profiles instead (bench/profile.ts)
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { ClientProcess } from './client-pool.js';
import { SPECS, WS_BU } from './contenders/index.js';
import { writeResults, rowLine } from './report.js';
import { echoRows, fanInRows, idleRows, jsonLabel, receiveRow, sendRow, sizeLabel, specOf, type Config, type RowContext, type RowResult } from './rows.js';
import { startBenchServer } from './server-process.js';
import { generateCertificate } from './tls-cert.js';

const env = process.env;
const QUICK = env.BENCH_QUICK === '1';
const config: Config = {
  quick: QUICK,
  repeats: Number(env.BENCH_REPEATS ?? (QUICK ? 3 : 5)),
  sampleMs: Number(env.BENCH_SAMPLE_MS ?? (QUICK ? 100 : 250)),
  settleMs: 50,
  echoCount: QUICK ? 500 : 2000,
  idleConnections: Number(env.BENCH_IDLE_CONNECTIONS ?? 1000),
  idleWindowMs: QUICK ? 2000 : 5000,
  fanInConnections: 1000,
  fanInWindows: 3,
  fanInWindowMs: QUICK ? 1000 : 2000,
  fanInRounds: QUICK ? 1 : 2,
};
const only = env.BENCH_ROWS ? new RegExp(env.BENCH_ROWS, 'i') : null;
const MiB = 1024 * 1024;
const SIZES = [64, 1024, 16 * 1024, 64 * 1024, MiB];

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', 'lib'], { encoding: 'utf8' }).trim() !== '';
    return `${head}${dirty ? ' (lib/ modified)' : ''}`;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadStart = loadavg()[0]!;
  const certificate = generateCertificate();
  const server = await startBenchServer(certificate);
  const pool = new Map(SPECS.map((spec) => [spec.name, new ClientProcess(spec, { ca: certificate?.cert ?? null })]));
  const notes: string[] = [];
  let missingBufferutil = false;
  // Each set-up says what it loaded: a ws+bu without bufferutil would not be what its name says. All start at once.
  await Promise.all(
    [...pool].map(async ([name, client]) => {
      try {
        const hello = await client.request<{ bufferutil: boolean; nativeMask: boolean }>({ op: 'hello' }, 60_000);
        // Node 26+ has http.websocketMask, which ws prefers to bufferutil (it then never loads it).
        if (name === WS_BU && hello.nativeMask) notes.push('This Node has http.websocketMask: ws masks natively in every set-up (ws and ws+bu run the same code; ws+bu+cork differs by its corking).');
        else if (name === WS_BU && !hello.bufferutil) missingBufferutil = true;
      } catch (error) {
        notes.push(`${name} could not start (${(error as Error).message}): left out.`);
        pool.delete(name);
      }
    }),
  );
  if (missingBufferutil) {
    notes.push('bufferutil did not load: ws+bu is left out, and ws+bu+cork masks in JavaScript.');
    pool.get(WS_BU)?.kill();
    pool.delete(WS_BU);
  }
  if (!certificate) notes.push('openssl made no certificate: the wss row is left out.');
  const ctx: RowContext = { config, pool, repeats: config.repeats, sampleMs: config.sampleMs, settleMs: config.settleMs, fresh: (name) => new ClientProcess(specOf(name), { ca: null }, ['--expose-gc', '--no-memory-reducer']) };
  const rows: RowResult[] = [];
  const wanted = (label: string): boolean => !only || only.test(label);
  let last = Date.now();
  const add = (done: RowResult[]): void => {
    for (const row of done) {
      rows.push(row);
      console.log(rowLine(row));
    }
    console.log(`    (${((Date.now() - last) / 1000).toFixed(1)} s)`);
    last = Date.now();
  };
  try {
    for (const kind of ['binary', 'text'] as const) {
      for (const size of SIZES) {
        const label = `receive ${kind} ${sizeLabel(size)}`;
        if (wanted(label)) add([await receiveRow(ctx, label, server.url, kind, size, true)]);
      }
    }
    const wss = 'receive binary 1 MiB over wss (TLS)';
    if (server.tlsUrl && wanted(wss)) add([await receiveRow(ctx, wss, server.tlsUrl, 'binary', MiB, true)]);
    for (const size of [1024, 16 * 1024]) if (wanted(jsonLabel(size))) add([await receiveRow(ctx, jsonLabel(size), server.url, 'json', size, false)]);
    for (const size of [64, 1024, 64 * 1024, MiB]) if (wanted(`send binary ${sizeLabel(size)}`)) add([await sendRow(ctx, server.url, size)]);
    if (wanted('echo round trip')) add(await echoRows(ctx, server.url));
    if (wanted('idle connection')) add(await idleRows(ctx, server.url));
    if (wanted('fan-in')) add(await fanInRows(ctx, server.url));
  } finally {
    await Promise.all([...pool.values()].map((client) => client.stop()));
    server.stop();
    certificate?.remove();
  }
  writeResults(join(__dirname, 'RESULTS.md'), rows, {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform}/${process.arch}`,
    node: process.version,
    commit: commit(),
    loadStart,
    loadEnd: loadavg()[0]!,
    cores: cpus().length,
    minutes: (Date.now() - started) / 60_000,
    config,
    notes,
  });
  console.log(`\nwrote bench/RESULTS.md in ${((Date.now() - started) / 60_000).toFixed(1)} minutes`);
}

void main().then(() => process.exit(0));
