/**
 * The rows with many connections, each run in a fresh client process:
 *
 * - idle: `n` idle connections with the library's production defaults
 *   (lomond: pingRate 30 s, poll 5 s; ws and the others: none), opened
 *   evenly over `spreadMs` (the runner passes the poll period). Heap and RSS
 *   per connection (after two full GCs, against the same process before it
 *   opened them, after a warm-up round of as many connections opened and
 *   closed); then the process's CPU over a window (% of one core), then
 *   timer wake-ups and callbacks per second over another window (bench/wakeups.ts),
 *   and the pings per second the server received meanwhile (its /stats page).
 * - fan-in: `n` connections, the server sending each `rate` text messages of
 *   `size` bytes per second; over `windows` windows, the client CPU per
 *   message, the GC share of that CPU (perf_hooks "gc" entries) and the CPU
 *   in % of one core. Every message is compared with the one sent.
 */
import { get } from 'node:http';
import type { Contender } from './contenders/contender.js';
import { fanInPayload } from './payloads.js';
import { Window, type Measured } from './sink.js';
import { wakeUpCounter } from './wakeups.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens `n` connections, 50 at a time. */
async function openMany(contender: Contender, url: string, n: number, onText: ((text: string) => void) | null): Promise<Array<() => void>> {
  const closers: Array<() => void> = [];
  for (let i = 0; i < n; i += 50) closers.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => contender.open(url, onText)))));
  return closers;
}

/**
 * Opens `n` connections evenly over `spreadMs`, as a server's clients arrive over time: connection i opens
 * at i × spreadMs / n (to the millisecond the event loop allows), so that their timers fall due spread over
 * the period as in production, not in the few milliseconds a burst of connections would put them in.
 */
async function openSpread(contender: Contender, url: string, n: number, spreadMs: number): Promise<Array<() => void>> {
  const opening: Array<Promise<() => void>> = [];
  const start = performance.now();
  while (opening.length < n) {
    const due = Math.min(n, Math.floor(((performance.now() - start) * n) / spreadMs) + 1);
    while (opening.length < due) opening.push(contender.open(url, null));
    await sleep(1);
  }
  return Promise.all(opening);
}

/** CPU % of one core over `ms`. */
async function cpuOver(ms: number): Promise<number> {
  const window = new Window();
  window.start();
  await sleep(ms);
  window.finish();
  const m = window.measured(0);
  return m.cpuUs / 1e4 / m.seconds;
}

/**
 * Waits until the process is quiet: after opening connections and the forced GCs, V8's background work
 * (concurrent GC, optimising compiles) goes on for a second or two, tens of ms of CPU that belong to no
 * steady state. Quiet: two 500 ms probes in a row within 0.2 points or 30 % of each other (6 s at most).
 */
async function quiet(): Promise<void> {
  let previous = await cpuOver(500);
  for (let i = 0; i < 11; i++) {
    const current = await cpuOver(500);
    if (process.env.BENCH_VERBOSE === '1') console.log(`      quiet? ${previous.toFixed(2)} → ${current.toFixed(2)} %`);
    if (Math.abs(current - previous) < Math.max(0.2, 0.3 * previous)) return;
    previous = current;
  }
}

function serverPings(statsUrl: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(statsUrl, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve((JSON.parse(body) as { pings: number }).pings));
    }).on('error', reject);
  });
}

/** The idle row's figures. */
export interface IdleResult {
  readonly heapPerConnection: number;
  readonly rssPerConnection: number;
  readonly cpuPercent: number;
  readonly wakeUpsPerSecond: number;
  readonly callbacksPerSecond: number;
  readonly pingsPerSecond: number;
  /** When the steady windows began and ended (process.hrtime µs, the clock of --cpu-prof profiles). */
  readonly steadyFromUs: number;
  readonly steadyToUs: number;
}

export async function idleRow(contender: Contender, base: string, n: number, spreadMs: number, windowMs: number): Promise<IdleResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the idle row needs --expose-gc');
  const url = `${base}/idle`;
  // Warm up: as many connections as the row opens, opened and closed first, so that V8 has compiled the code they
  // run before the count starts (that code is the process's, not the connections': with 5 warm-up connections it
  // was ~0.4 KiB of lomond's 3.5 KiB per connection and ~0.3 of ws's 3.2, at 1000 connections).
  for (const close of await openMany(contender, url, n, null)) close();
  await sleep(1000);
  gc();
  gc();
  const before = process.memoryUsage();
  const closers = await openSpread(contender, url, n, spreadMs);
  await sleep(1000);
  gc();
  gc();
  const after = process.memoryUsage();
  await quiet();
  const steadyFromUs = Number(process.hrtime.bigint() / 1000n);
  const cpuWindow = new Window();
  cpuWindow.start();
  await sleep(windowMs);
  cpuWindow.finish();
  const cpu = cpuWindow.measured(0);
  const counter = wakeUpCounter();
  const statsUrl = `${base.replace(/^ws/, 'http')}/stats`;
  const pings0 = await serverPings(statsUrl);
  const t0 = performance.now();
  counter.enable();
  await sleep(windowMs);
  const counted = counter.disable();
  // The window's own timer (the sleep above) is one wake-up and one callback: not the contender's.
  counted.wakeUps = Math.max(0, counted.wakeUps - 1);
  counted.callbacks = Math.max(0, counted.callbacks - 1);
  const seconds = (performance.now() - t0) / 1000;
  const steadyToUs = Number(process.hrtime.bigint() / 1000n);
  const pings1 = await serverPings(statsUrl);
  closers.forEach((close) => close());
  return {
    heapPerConnection: (after.heapUsed - before.heapUsed) / n,
    rssPerConnection: (after.rss - before.rss) / n,
    cpuPercent: cpu.cpuUs / 1e4 / cpu.seconds,
    wakeUpsPerSecond: counted.wakeUps / seconds,
    callbacksPerSecond: counted.callbacks / seconds,
    pingsPerSecond: (pings1 - pings0) / seconds,
    steadyFromUs,
    steadyToUs,
  };
}

/** One fan-in window's figures (as a receive sample) and the CPU in % of one core. */
export interface FanInWindow extends Measured {
  readonly cpuPercent: number;
  /** The window on the client's monotonic clock, µs (for bench:profile). */
  readonly fromUs: number;
  readonly toUs: number;
}

export async function fanInRow(contender: Contender, base: string, n: number, size: number, rate: number, windows: number, windowMs: number): Promise<FanInWindow[]> {
  const expected = fanInPayload(size);
  let messages = 0;
  let wrong = 0;
  const closers = await openMany(contender, `${base}/fanin?size=${size}&rate=${rate}`, n, (text) => {
    messages++;
    if (text !== expected) wrong++;
  });
  // As the idle row: V8's background work after opening the connections belongs to no steady state.
  await sleep(1000);
  await quiet();
  const results: FanInWindow[] = [];
  for (let w = 0; w < windows; w++) {
    const window = new Window();
    const m0 = messages;
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    window.start();
    await sleep(windowMs);
    window.finish();
    const toUs = Number(process.hrtime.bigint() / 1000n);
    const got = messages - m0;
    const problems = wrong > 0 ? [`${wrong} messages differed from the one sent`] : [];
    // The server sends n × rate messages per second: a client that receives far fewer is losing them (or starving).
    if (got < n * rate * (windowMs / 1000) * 0.5) problems.push(`${got} messages in ${windowMs} ms, ${n * rate * (windowMs / 1000)} sent`);
    const measured = window.measured(got, problems);
    results.push({ ...measured, cpuPercent: measured.cpuUs / 1e4 / measured.seconds, fromUs, toUs });
  }
  closers.forEach((close) => close());
  return results;
}
