/**
 * bench/RESULTS.md and the console lines: the table of every row (median
 * [min–max] per contender), the table of client CPU per message, the ratios
 * lomond / ws and lomond / best ws set-up (per-repeat paired ratios, median
 * [min–max]), the machine, the run's settings and the method. The section
 * from the profiles marker on is bench:profile's and is kept as it was.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { LOMOND, SPECS, WS, WS_BU, WS_VARIANTS } from './contenders/index.js';
import type { Config, RowResult } from './rows.js';
import { compact, formatRatio, formatSpread, median, pairedRatios, spread } from './stats.js';

export const PROFILES_MARKER = '<!-- bench:profile writes below this line -->';

/** Facts about the run printed in the header. */
export interface RunInfo {
  readonly date: string;
  readonly machine: string;
  readonly node: string;
  readonly commit: string;
  readonly loadStart: number;
  readonly loadEnd: number;
  readonly cores: number;
  readonly minutes: number;
  readonly config: Config;
  readonly notes: readonly string[];
}

type Figures = (row: RowResult) => Map<string, number[]> | null;
const ofValues: Figures = (row) => row.values;
const ofCpu: Figures = (row) => row.cpu;

/** The best ws set-up in the row by median (highest, or lowest where lower is better). */
function bestWs(map: Map<string, number[]>, higherIsBetter: boolean): string | null {
  let best: string | null = null;
  for (const name of WS_VARIANTS) {
    const values = map.get(name);
    if (!values?.length) continue;
    if (best === null || (higherIsBetter ? median(values) > median(map.get(best)!) : median(values) < median(map.get(best)!))) best = name;
  }
  return best;
}

function ratios(map: Map<string, number[]>, higherIsBetter: boolean): [string, string] {
  const lomond = map.get(LOMOND);
  const ws = map.get(WS);
  const best = bestWs(map, higherIsBetter);
  const toWs = lomond && ws ? formatRatio(spread(pairedRatios(lomond, ws))) : '—';
  const bestRatio = lomond && best ? formatRatio(spread(pairedRatios(lomond, map.get(best)!))) : '—';
  const toBest = bestRatio === '—' ? bestRatio : `${bestRatio} (${best})`;
  return [toWs, toBest];
}

function columns(rows: readonly RowResult[], figures: Figures): string[] {
  return SPECS.map((spec) => spec.name).filter((name) => rows.some((row) => figures(row)?.has(name) || row.failed.has(name)));
}

function table(rows: readonly RowResult[], figures: Figures, unitOf: (row: RowResult) => string, higher: (row: RowResult) => boolean, footnotes: string[]): string {
  const names = columns(rows, figures);
  const lines = [`| row | unit | ${names.join(' | ')} | lomond / ws | lomond / best ws |`, `|${' --- |'.repeat(names.length + 4)}`];
  for (const row of rows) {
    const map = figures(row);
    if (!map) continue;
    const cells = names.map((name) => {
      const why = row.failed.get(name);
      if (why) {
        const note = `${row.label}, ${name}: ${why}`;
        if (!footnotes.includes(note)) footnotes.push(note);
        return `failed [${footnotes.indexOf(note) + 1}]`;
      }
      return formatSpread(spread(map.get(name) ?? []));
    });
    const [toWs, toBest] = ratios(map, higher(row));
    const better = higher(row) ? '' : ' ↓';
    lines.push(`| ${row.label} | ${unitOf(row)}${better} | ${cells.join(' | ')} | ${toWs} | ${toBest} |`);
  }
  return lines.join('\n');
}

/** GC share of the client CPU and major GCs per 1,000 messages, per contender, for the rows with CPU figures. */
function gcTable(rows: readonly RowResult[]): string {
  const names = columns(rows, (row) => row.cpu).filter((name) => rows.some((row) => row.gc?.has(name)));
  const lines = [`| row | ${names.join(' | ')} |`, `|${' --- |'.repeat(names.length + 1)}`];
  const share = (n: number): string => n.toFixed(n >= 10 ? 0 : 1);
  for (const row of rows) {
    if (!row.gc) continue;
    const cells = names.map((name) => {
      const gc = row.gc!.get(name);
      if (!gc) return row.failed.has(name) ? 'failed' : '—';
      const majors = spread(gc.majorsPerK);
      return `${formatSpread(spread(gc.share), share)} % · ${majors ? compact(majors.median) : '—'}`;
    });
    lines.push(`| ${row.label} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** ws and ws+bu run the same receive code (bufferutil only masks, and a client unmasks nothing): their paired ratio is the run's noise. */
function noiseGauge(rows: readonly RowResult[]): string {
  const deviations: number[] = [];
  for (const row of rows) {
    if (!row.label.startsWith('receive')) continue;
    const a = row.cpu?.get(WS);
    const b = row.cpu?.get(WS_BU);
    if (a && b) deviations.push(...pairedRatios(b, a).map((r) => Math.abs(r - 1)));
  }
  if (deviations.length === 0) return '';
  return `Noise gauge: on the receive rows ws and ws+bu run identical code; their per-repeat CPU-per-message ratios differ from 1 by ${(100 * median(deviations)).toFixed(1)} % (median) and up to ${(100 * Math.max(...deviations)).toFixed(0)} %: read smaller differences between contenders as noise.`;
}

/** A console line for a finished row. */
export function rowLine(row: RowResult): string {
  const parts = [...row.values].map(([name, values]) => `${name}=${formatSpread(spread(values))}`);
  for (const [name, why] of row.failed) parts.push(`${name}=FAILED (${why})`);
  const cpu = row.cpu ? `\n${' '.repeat(4)}CPU µs/msg: ${[...row.cpu].map(([name, values]) => `${name}=${formatSpread(spread(values))}`).join('  ')}` : '';
  return `${row.label} [${row.unit}]\n    ${parts.join('  ')}${cpu}`;
}

export function writeResults(path: string, rows: readonly RowResult[], info: RunInfo): void {
  const footnotes: string[] = [];
  const main = table(rows, ofValues, (row) => row.unit, (row) => row.higherIsBetter, footnotes);
  const cpu = table(rows.filter((row) => row.cpu), ofCpu, () => 'µs', () => false, footnotes);
  const c = info.config;
  const busy = info.loadStart > info.cores * 0.5 || info.loadEnd > info.cores * 0.5;
  const kept = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const at = kept.indexOf(PROFILES_MARKER);
  const profiles = at >= 0 ? kept.slice(at) : `${PROFILES_MARKER}\n\n## Profiles\n\nNone yet: \`npm run bench:profile\` writes them here.\n`;
  const text = `# Benchmark results

${c.quick ? '**BENCH_QUICK run: few and short samples, a smoke test of the harness, not a record.**\n' : ''}${busy ? `**Noisy: the load average was ${info.loadStart.toFixed(1)} at the start and ${info.loadEnd.toFixed(1)} at the end on ${info.cores} cores (other work was running): absolute numbers are not comparable with other runs; the ratios within the run and the CPU per message are the figures to read.**\n` : ''}
Produced by \`npm run bench\` on ${info.date}, lomond at ${info.commit}, in ${info.minutes.toFixed(1)} minutes.
Machine: ${info.machine}, Node ${info.node}.
Settings: ${c.repeats} repeats per row after a calibrating warm-up, samples of ~${c.sampleMs} ms, ${c.settleMs} ms apart; echo ${c.echoCount} round trips per sample; idle ${c.idleConnections} connections, windows of ${c.idleWindowMs / 1000} s; fan-in ${c.fanInConnections} connections, ${c.fanInRounds} × ${c.fanInWindows} windows of ${c.fanInWindowMs / 1000} s.
${info.notes.map((note) => `${note}\n`).join('')}
## Method

- **Processes.** The server (bench/server.ts) runs in its own process, over TCP and TLS. Every contender runs in a client process of its own (bench/client-worker.ts, bundled by esbuild and run as plain JavaScript, as applications run: not under tsx, whose source maps V8 then holds in the heap: a process whose old generation holds a few MB of large strings, such as the sources embedded in source maps under --enable-source-maps, runs a full mark-compact every ~10 ms while it receives 1 MiB messages, whatever the library — ws too, measured — and a 1 MiB receive then costs 2 times the CPU), started once for the run (fresh ones for the idle and fan-in rows): its CPU time (process.cpuUsage, user + system, all threads) and GC time (perf_hooks "gc" entries) are its own, and its environment sets it up.
- **Contenders.** lomond (the built package); ws plain (WS_NO_BUFFER_UTIL=1: masking in JavaScript); ws+bu (with the bufferutil addon); ws+bu+cork (bufferutil, and the user-side pattern that corks ws's socket on the first send of a tick and uncorks it on process.nextTick; send rows only); Node's built-in WebSocket; rxjs webSocket() over plain ws; the raw socket (a net or TLS socket that upgrades and counts bytes: the ceiling of the receive path; on the send rows it writes frames built before the window, masked with the all-zero key, in batches of ~1 MiB: what the server can take, the ceiling of every sender).
- **Alternation.** In each row the contenders take turns, one sample each per repeat, the order reversed on every other repeat. A warm-up pass first (not recorded) calibrates each contender's message count so that a sample lasts ~${c.sampleMs} ms.
- **GC.** The GC table gives, per sample, GC time (perf_hooks "gc" entries within the window) as a share of the client CPU, and the major (mark-compact) GCs per 1,000 messages: a receive path that keeps buffers alive across scavenges shows there first.
- **Figures.** Each cell is the median [min–max] over the repeats (over the windows for fan-in; one sample for the idle rows). Rates run from the first message to the last (the handshake excluded; send rows: from open to the server's confirmation of the last message). "Client CPU per message" is the client process's CPU time over the same window divided by the messages: the steady figure on a shared machine. Ratios are the median [min–max] of the per-repeat ratios (the two samples ran side by side); "best ws" is the ws set-up with the best median in that row. ↓ marks rows where lower is better.
- **Content checks.** At the sink, every sample checks the message count, the total bytes, and the first and last message byte for byte (they differ from the middle ones); send rows have the server check the same. A contender that fails a check is marked failed for the row (footnotes say why) instead of given a rate.
- **Payloads.** Binary bytes \`(i × 7) & 0xff\`, text 'a'…'z' (ASCII, so that a string's length is its byte count). The permessage-deflate rows send generated market-data JSON (order-book updates, 64 distinct messages cycled, compressed once by the server with server_no_context_takeover); their compression ratio is in the label. Every other row is uncompressed, whatever a client offers.
- **Send rows.** Every sender waits a macrotask while more than 1 MiB is queued (bufferedAmount). Binary messages.
- **Idle rows.** Production defaults (lomond pingRate 30 s and poll 5 s; the others have no timers by default). Heap and RSS: after two full GCs, against the same process before it opened the connections, after a warm-up round of as many connections opened and closed (the code V8 compiles while the first connections open belongs to the process, not to each connection: with 5 warm-up connections it was ~0.4 KiB of lomond's and ~0.3 KiB of ws's per-connection figure at 1000). CPU over one window; then timer wake-ups and callbacks per second over another (an async_hooks \`before\` hook on Timeout resources in the client process; the first timer callback of an event-loop turn counts a wake-up, a setImmediate ends the turn). The connections open evenly over 5 s (one poll period, as clients arrive over time), so that their timers fall due spread over the period as in production; lomond's first pings (at ready) fall before the windows and the next ones (30 s later) after them, so the wake-ups counted are those besides the pings (the server's count of pings received in the window says so). Before the windows the process waits until its CPU is steady (V8's background work after opening the connections and the forced GCs); the idle and fan-in processes run with --no-memory-reducer, whose GCs for seconds after a burst of allocation belong to no library. On this kind of VM a wake-up costs ~100–170 µs of CPU whatever it runs (a bare Node process with 200 empty timer wake-ups per second uses ~2.7 % of a core): idle CPU follows the wake-ups.
- **Fan-in.** The server sends each connection 10 text messages of 200 B per second, spread evenly (one server timer every 10 ms); client CPU per message, GC time as a share of the client's CPU, CPU in % of a core; every message is compared with the one sent. Each contender runs in a fresh process per pass, ${c.fanInRounds} pass${c.fanInRounds === 1 ? '' : 'es'} over the contenders, the order reversed on every other one (no contender always first), and its windows begin once its CPU is steady (as in the idle rows); the paired ratios compare windows of the same pass.
- **Runtime notes.** On Node 26+ ws masks with Node's own http.websocketMask in every set-up. Node 20 runs the bench with --experimental-websocket (scripts/bench.mjs). Client and server share the machine's cores; rows where the server is the bottleneck (64 KiB and 1 MiB receive, wss) move most between runs.
${noiseGauge(rows) ? `\n${noiseGauge(rows)}\n` : ''}
## Results

${main}

## Client CPU per message (µs, lower is better)

${cpu}

## GC share of the client CPU (%) · major GCs per 1,000 messages (median)

${gcTable(rows)}
${footnotes.length ? `\n${footnotes.map((note, i) => `[${i + 1}] ${note}`).join('  \n')}\n` : ''}
${profiles}`;
  writeFileSync(path, text);
}
