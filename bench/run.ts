/**
 * `npm run bench`: lomond against ws, Node's built-in WebSocket and rxjs
 * webSocket() over ws, in one run, against the same local server (its own
 * process). Contenders alternate (A B C D A B C D …) for each row; each row is
 * repeated and the median reported, with the ratio lomond / ws. Writes
 * bench/RESULTS.md.
 *
 *   npm run bench            (runs: node --experimental-websocket --import tsx bench/run.ts)
 *   BENCH_QUICK=1 npm run bench   (fewer repeats, for a smoke test)
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import * as contenders from './contenders.js';
import { startBenchServer } from './server-process.js';

const QUICK = process.env.BENCH_QUICK === '1';
const REPEATS = QUICK ? 1 : Number(process.env.BENCH_REPEATS ?? 9);
const MiB = 1024 * 1024;
const SETTLE_MS = 100;

const all = [contenders.lomond, contenders.ws, contenders.native, contenders.rxjsWebSocket].filter((c): c is contenders.Contender => c !== null);

interface Row {
  readonly label: string;
  readonly unit: string;
  /** Higher is better (throughput) or lower (latency, memory). */
  readonly higherIsBetter: boolean;
  readonly values: Record<string, number>;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function timed(run: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs `measure` for each contender, alternating, REPEATS times; returns medians (NaN for a contender that delivered wrong message sizes). */
async function alternate(who: contenders.Contender[], measure: (c: contenders.Contender) => Promise<number>): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = {};
  const wrong = new Set<string>();
  for (let r = 0; r < REPEATS; r++) {
    for (const contender of who) {
      if (wrong.has(contender.name)) continue;
      try {
        // Let the previous sample's connection finish closing (clients that close gracefully keep reading meanwhile).
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        (samples[contender.name] ??= []).push(await measure(contender));
      } catch (error) {
        if (!(error instanceof contenders.WrongSize)) throw error;
        console.log(`  ${error.message}: row not comparable`);
        wrong.add(contender.name);
        samples[contender.name] = [Number.NaN];
      }
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
}

/** Messages per sample: 512 MiB (capped at 200,000 messages), so that even 1 MiB samples last a few hundred ms. */
function countFor(size: number): number {
  const budget = (QUICK ? 32 : 512) * MiB;
  return Math.max(20, Math.min(QUICK ? 50_000 : 200_000, Math.floor(budget / size)));
}

async function main(): Promise<void> {
  const server = await startBenchServer();
  const rows: Row[] = [];
  const sizes = [64, 1024, 64 * 1024, MiB];
  try {
    for (const type of ['binary', 'text'] as const) {
      for (const size of sizes) {
        const count = countFor(size);
        const url = `${server.url}/blast?size=${size}&count=${count}&type=${type}`;
        const frameBytes = size + (size < 126 ? 2 : size < 65536 ? 4 : 10);
        // The client's own CPU time per message, sampled with the same runs: steadier than wall-clock rates on a
        // machine where client and server share few cores.
        const cpu: Record<string, number[]> = {};
        const values = await alternate(all, async (c) => {
          const before = process.cpuUsage();
          const rate = count / (await timed(() => c.receive(url, count, size, false)));
          const used = process.cpuUsage(before);
          (cpu[c.name] ??= []).push((used.user + used.system) / count);
          return rate;
        });
        const rawSamples: number[] = [];
        for (let r = 0; r < REPEATS; r++) {
          await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
          rawSamples.push(count / (await timed(() => contenders.rawReceive(url, count * frameBytes))));
        }
        const raw = median(rawSamples);
        rows.push({ label: `receive ${type} ${label(size)}`, unit: 'msg/s', higherIsBetter: true, values: { ...values, 'raw socket': raw } });
        console.log(format(rows.at(-1)!));
        if (size >= 64 * 1024) {
          const cpuValues = Object.fromEntries(Object.entries(cpu).map(([name, samples]) => [name, Number.isNaN(values[name]) ? Number.NaN : median(samples)]));
          rows.push({ label: `receive ${type} ${label(size)}, client CPU`, unit: 'µs/msg', higherIsBetter: false, values: cpuValues });
          console.log(format(rows.at(-1)!));
        }
      }
    }
    {
      const size = 64 * 1024;
      const count = countFor(size) / 4;
      const url = `${server.url}/blast?size=${size}&count=${count}&type=text&deflate=1`;
      const who = all.filter((c) => c.name === 'lomond' || c.name === 'ws');
      const values = await alternate(who, async (c) => count / (await timed(() => c.receive(url, count, size, true))));
      rows.push({ label: `receive text 64 KiB permessage-deflate`, unit: 'msg/s', higherIsBetter: true, values });
      console.log(format(rows.at(-1)!));
    }
    for (const size of sizes) {
      const count = countFor(size) / 2;
      const payload = Buffer.alloc(size, 7);
      const values = await alternate(all, async (c) => count / (await timed(() => c.send(`${server.url}/sink?count=${count}`, payload, count))));
      rows.push({ label: `send binary ${label(size)}`, unit: 'msg/s', higherIsBetter: true, values });
      console.log(format(rows.at(-1)!));
    }
    const latencies: Record<string, number[]> = {};
    for (let r = 0; r < REPEATS; r++) {
      for (const c of all) (latencies[c.name] ??= []).push(...(await c.echo(`${server.url}/echo`, QUICK ? 500 : 2000)));
    }
    for (const p of [50, 99]) {
      rows.push({
        label: `echo round trip 64 B p${p}`,
        unit: 'µs',
        higherIsBetter: false,
        values: Object.fromEntries(Object.entries(latencies).map(([name, values]) => [name, percentile(values, p)])),
      });
      console.log(format(rows.at(-1)!));
    }
    const memory: Record<string, { rss: number; heap: number }> = {};
    const n = QUICK ? 200 : 1000;
    for (const c of all) {
      const out = execFileSync(process.execPath, ['--expose-gc', ...(process.execArgv.includes('--experimental-websocket') ? ['--experimental-websocket'] : []), '--import', 'tsx', join(__dirname, 'memory.ts'), c.name, server.url, String(n)], { encoding: 'utf8' });
      memory[c.name] = JSON.parse(out.trim().split('\n').at(-1)!);
    }
    rows.push({ label: `RSS per idle connection (${n})`, unit: 'KiB', higherIsBetter: false, values: Object.fromEntries(Object.entries(memory).map(([k, v]) => [k, v.rss / 1024])) });
    rows.push({ label: `heap per idle connection (${n})`, unit: 'KiB', higherIsBetter: false, values: Object.fromEntries(Object.entries(memory).map(([k, v]) => [k, v.heap / 1024])) });
    console.log(format(rows.at(-2)!));
    console.log(format(rows.at(-1)!));
  } finally {
    server.stop();
  }
  writeResults(rows);
}

function label(size: number): string {
  return size >= MiB ? `${size / MiB} MiB` : size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
}

function fmt(value: number | undefined): string {
  if (value === undefined) return '—';
  if (Number.isNaN(value)) return 'wrong sizes†';
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(value >= 10 ? 1 : 2);
}

function format(row: Row): string {
  return `${row.label.padEnd(42)} ${Object.entries(row.values).map(([k, v]) => `${k}=${fmt(v)}`).join('  ')}  ${row.unit}`;
}

function writeResults(rows: Row[]): void {
  const names = [...all.map((c) => c.name), 'raw socket'];
  const header = `| row | unit | ${names.join(' | ')} | lomond / ws |`;
  const lines = rows.map((row) => {
    const ratio = row.values.lomond !== undefined && row.values.ws !== undefined ? (row.values.lomond / row.values.ws).toFixed(2) : '—';
    return `| ${row.label} | ${row.unit} | ${names.map((n) => fmt(row.values[n])).join(' | ')} | ${ratio}${row.higherIsBetter ? '' : ' (lower is better)'} |`;
  });
  const cpu = cpus()[0]?.model ?? 'unknown';
  const text = `# Benchmark results

Produced by \`npm run bench\` (\`node --experimental-websocket --import tsx bench/run.ts\`) on ${new Date().toISOString().slice(0, 10)}.
Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}/${process.arch}.
Each row: contenders alternate (A B C D, repeated ${REPEATS}×, ${SETTLE_MS} ms apart so that no connection is still closing), median reported; the server runs in its own process on 127.0.0.1.
Throughput rows: higher is better. "raw socket" counts bytes on a plain net.Socket: the ceiling of the receive path.
"client CPU" rows: the client process's CPU time (user + system, all threads) per message over the same runs, lower is better.
Every received message's size is checked; "wrong sizes†" would mark a client that delivered messages of another size
(its rate would not be comparable). Only the permessage-deflate row is compressed, whatever the clients offer.
Client and server share the machine's cores: rows where the server is the bottleneck (64 KiB and 1 MiB receive)
vary by up to ±20 % between runs on a 2-core machine; read their ratios with that in mind.

${header}
|${' --- |'.repeat(names.length + 3)}
${lines.join('\n')}
`;
  writeFileSync(join(__dirname, 'RESULTS.md'), text);
  console.log('\nwrote bench/RESULTS.md');
}

void main().then(() => process.exit(0));
