/**
 * `npm run bench:profile`: runs rows again with every contender's client
 * process under `node --cpu-prof` (fresh processes per row, so that a
 * profile holds that row only), then prints each contender's top 10
 * functions by self time and writes lomond's and ws's into the profiles
 * section of bench/RESULTS.md (the newest run first, the one before kept
 * beneath it, so that a before/after pair stays side by side).
 *
 *   npm run bench:profile                                   the 64 B receive, 1 MiB receive and 64 KiB send rows
 *   npm run bench:profile -- 'receive text 16 KiB' idle     other rows (labels as in RESULTS.md; "idle" for the idle connections, "fan-in" for fan-in)
 * Profiles stay in .tmp/bench-profile/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientProcess } from './client-pool.js';
import { LOMOND, SPECS, WS, WS_BU } from './contenders/index.js';
import { topSelfTime, type SelfTime } from './cpuprofile.js';
import { PROFILES_MARKER } from './report.js';
import { RECEIVERS, SENDERS, fanInRows, idleRows, receiveRow, sendRow, specOf, type Config, type RowContext } from './rows.js';
import { startBenchServer } from './server-process.js';

const MiB = 1024 * 1024;
const DEFAULT_ROWS = ['receive binary 64 B', 'receive binary 1 MiB', 'send binary 64 KiB'];
const dir = join(__dirname, '..', '.tmp', 'bench-profile');
const config: Config = {
  quick: false,
  repeats: 4,
  sampleMs: 500,
  settleMs: 50,
  echoCount: 2000,
  idleConnections: Number(process.env.BENCH_IDLE_CONNECTIONS ?? 1000),
  idleWindowMs: 5000,
  fanInConnections: 1000,
  fanInWindows: 3,
  fanInWindowMs: 2000,
  fanInRounds: 1,
};

const slug = (text: string): string => text.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
const SIZES: Record<string, number> = { '64 B': 64, '1 KiB': 1024, '16 KiB': 16 * 1024, '64 KiB': 64 * 1024, '1 MiB': MiB };

/** Runs one row with profiling client processes; returns each contender's profile file and when its row began (µs, the profile's clock). */
async function profileRow(label: string, url: string): Promise<Map<string, { file: string; sinceUs: number; untilUs: number }>> {
  const files = new Map<string, string>();
  const since = new Map<string, number>();
  const until = new Map<string, number>();
  // A folder per contender and Node's own file names: tsx's module hooks run on a thread of their own, which
  // writes a profile too (with --cpu-prof-name, the two overwrite each other); the main thread's has thread id 0.
  const flags = (name: string): string[] => {
    const folder = join(dir, slug(label), slug(name));
    files.set(name, folder);
    return ['--cpu-prof', '--cpu-prof-dir', folder];
  };
  const mainThread = (folder: string): string | null => {
    if (!existsSync(folder)) return null;
    const file = readdirSync(folder).find((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
    return file ? join(folder, file) : null;
  };
  const pool = new Map(SPECS.map((spec) => [spec.name, new ClientProcess(spec, { ca: null }, flags(spec.name))]));
  const fresh = (name: string): ClientProcess => new ClientProcess(specOf(name), { ca: null }, ['--expose-gc', '--no-memory-reducer', ...flags(name)]);
  const ctx: RowContext = { config, pool, repeats: config.repeats, sampleMs: config.sampleMs, settleMs: config.settleMs, fresh };
  const match = /^(receive|send) (binary|text) (.+)$/.exec(label);
  try {
    // Started before the row, so that their start-up (loading tsx and the library) can be left out of the profile.
    if (label !== 'idle' && label !== 'fan-in') {
      const row = label.startsWith('send') ? SENDERS : RECEIVERS;
      await Promise.all([...pool].filter(([name]) => row.includes(name)).map(async ([name, client]) => since.set(name, (await client.request<{ monotonicUs: number }>({ op: 'hello' }, 60_000)).monotonicUs)));
    }
    // The idle row: the steady windows only (not the opening of the connections).
    if (label === 'idle') await idleRows(ctx, url, (name, result) => (since.set(name, result.steadyFromUs), until.set(name, result.steadyToUs)));
    // Fan-in: its windows only (not the opening of the connections).
    else if (label === 'fan-in') await fanInRows(ctx, url, undefined, undefined, (name, windows) => (since.set(name, windows[0]!.fromUs), until.set(name, windows.at(-1)!.toUs)));
    else if (match && SIZES[match[3]!] !== undefined && match[1] === 'receive') await receiveRow(ctx, label, url, match[2] as 'binary' | 'text', SIZES[match[3]!]!, false);
    else if (match && SIZES[match[3]!] !== undefined && match[2] === 'binary') await sendRow(ctx, url, SIZES[match[3]!]!);
    else throw new RangeError(`bench:profile cannot run row ${JSON.stringify(label)} (try e.g. "receive text 16 KiB", "send binary 1 KiB" or "idle")`);
  } finally {
    await Promise.all([...pool.values()].map((client) => client.stop()));
  }
  const out = new Map<string, { file: string; sinceUs: number; untilUs: number }>();
  for (const [name, folder] of files) {
    const file = mainThread(folder);
    if (file) out.set(name, { file, sinceUs: since.get(name) ?? 0, untilUs: until.get(name) ?? Infinity });
  }
  return out;
}

function tableOf(rows: SelfTime[]): string {
  return ['| self time | % | function |', '| --- | --- | --- |', ...rows.map((r) => `| ${r.ms.toFixed(0)} ms | ${r.percent.toFixed(1)} | \`${r.name}\` |`)].join('\n');
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const labels = process.argv.slice(2).length ? process.argv.slice(2) : DEFAULT_ROWS;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const server = await startBenchServer(null);
  const sections: string[] = [];
  try {
    for (const label of labels) {
      const files = await profileRow(label, server.url);
      const parts: string[] = [];
      for (const [name, { file, sinceUs, untilUs }] of files) {
        const { busyMs, rows } = topSelfTime(file, sinceUs, untilUs);
        if (busyMs < 1) continue; // a process the row did not use
        console.log(`\n${label} — ${name} (${busyMs.toFixed(0)} ms busy; ${file})`);
        for (const r of rows) console.log(`  ${r.ms.toFixed(0).padStart(6)} ms ${r.percent.toFixed(1).padStart(5)} %  ${r.name}`);
        if (name === LOMOND || name === WS || name === WS_BU) parts.push(`**${name}** (${busyMs.toFixed(0)} ms busy)\n\n${tableOf(rows)}`);
      }
      sections.push(`### ${label}\n\n${parts.join('\n\n')}`);
    }
  } finally {
    server.stop();
  }
  const path = join(__dirname, 'RESULTS.md');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : `# Benchmark results\n\n${PROFILES_MARKER}\n`;
  const at = text.indexOf(PROFILES_MARKER);
  const head = at >= 0 ? text.slice(0, at) : `${text}\n`;
  const old = at >= 0 ? text.slice(at + PROFILES_MARKER.length) : '';
  // Keep the newest earlier run (the "before" of a before/after pair).
  const previous = old.split(/^## Profiles at /m).slice(1, 2).map((block) => `## Profiles at ${block.trimEnd()}\n`);
  const block = `## Profiles at ${commit()} (${new Date().toISOString().slice(0, 10)}, Node ${process.version})

\`npm run bench:profile\`: each contender's client process under \`node --cpu-prof\`, ${config.repeats} samples of ~${config.sampleMs} ms after the warm-up; self time (idle excluded), top 10; \`dist/\` is lomond, \`ws/\` ws.

${sections.join('\n\n')}
`;
  writeFileSync(path, `${head}${PROFILES_MARKER}\n\n${[block, ...previous].join('\n')}`);
  console.log('\nwrote the profiles section of bench/RESULTS.md');
}

void main().then(() => process.exit(0));
