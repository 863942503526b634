/**
 * The rows of the bench: what each samples, from which contenders, and the
 * figures it keeps (the row's own figure per sample and, for the throughput
 * and echo rows, the client CPU per message per sample).
 */
import { alternate, type AlternateOptions, type Samples } from './alternate.js';
import { ClientProcess } from './client-pool.js';
import { LOMONDS, NATIVE, RAW, RXJS, SPECS, WS, WS_BU, WS_BU_CORK } from './contenders/index.js';
import type { FanInWindow, IdleResult } from './many-connections.js';
import { tickerCompression } from './payloads.js';
import type { Measured } from './sink.js';
import { percentile } from './stats.js';

/** One row of the results. */
export interface RowResult {
  readonly label: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  /** Per contender: the row's figure, one per sample (repeat or window). */
  readonly values: Map<string, number[]>;
  /** Per contender: client CPU per message (or round trip), µs, one per sample; null for rows without it. */
  readonly cpu: Map<string, number[]> | null;
  /** Per contender, with `cpu`: GC time as a share of that CPU (%) and major GCs per 1,000 messages, one per sample. */
  readonly gc: Map<string, { share: number[]; majorsPerK: number[] }> | null;
  /** Contenders that failed the row, and why. */
  readonly failed: Map<string, string>;
}

/** The run's settings (bench/run.ts reads them from the environment). */
export interface Config {
  readonly quick: boolean;
  readonly repeats: number;
  readonly sampleMs: number;
  readonly settleMs: number;
  readonly echoCount: number;
  readonly idleConnections: number;
  readonly idleWindowMs: number;
  readonly fanInConnections: number;
  readonly fanInWindows: number;
  readonly fanInWindowMs: number;
  /** Fan-in passes over the contenders, each in fresh processes, the order reversed on every other pass. */
  readonly fanInRounds: number;
}

/** What every row gets. */
export interface RowContext extends AlternateOptions {
  readonly config: Config;
  /** Options for fresh client processes (the many-connection rows). */
  readonly fresh: (name: string) => ClientProcess;
}

export const RECEIVERS = [...LOMONDS, WS, WS_BU, NATIVE, RXJS];
export const SENDERS = [...LOMONDS, WS, WS_BU, WS_BU_CORK, NATIVE, RXJS];
const MANY = [...LOMONDS, WS, NATIVE, RXJS];
const MiB = 1024 * 1024;
/** lomond's default poll period: the idle rows open their connections evenly over it. */
const POLL_PERIOD = 5000;

export function sizeLabel(size: number): string {
  return size >= MiB ? `${size / MiB} MiB` : size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
}

function throughputRow(label: string, results: Map<string, Samples>, unit = 'msg/s'): RowResult {
  const values = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const gc = new Map<string, { share: number[]; majorsPerK: number[] }>();
  const failed = new Map<string, string>();
  for (const [name, { samples, failed: why }] of results) {
    if (why) failed.set(name, why);
    else {
      values.set(name, samples.map((s) => s.messages / s.seconds));
      cpu.set(name, samples.map((s) => s.cpuUs / s.messages));
      gc.set(name, { share: samples.map((s) => (100 * s.gcMs * 1000) / s.cpuUs), majorsPerK: samples.map((s) => (1000 * s.majorGcs) / s.messages) });
    }
  }
  return { label, unit, higherIsBetter: true, values, cpu, gc, failed };
}

/** Receive rows: /blast (binary or text) or /json (permessage-deflate) at `base`; the raw socket beside them where `raw`. */
export async function receiveRow(ctx: RowContext, label: string, base: string, kind: 'binary' | 'text' | 'json', size: number, raw: boolean): Promise<RowResult> {
  const route = kind === 'json' ? 'json' : 'blast';
  const quick = ctx.config.quick;
  const results = await alternate(
    {
      contenders: raw ? [...RECEIVERS, RAW] : RECEIVERS,
      request: (count) => ({ op: 'receive', url: `${base}/${route}?size=${size}&count=${count}&type=${kind}`, kind, size, count }),
      initialCount: Math.max(20, Math.min(quick ? 16_384 : 65_536, Math.floor(((quick ? 1 : 4) * MiB) / size))),
      minCount: 20,
      maxCount: 20_000_000,
      calibrate: true,
    },
    ctx,
  );
  return throughputRow(label, results);
}

export function jsonLabel(size: number): string {
  return `receive JSON ~${sizeLabel(size)}, permessage-deflate (${Math.round(tickerCompression(size) * 100)} % of its size on the wire)`;
}

/** Send rows: binary messages to /sink, the server checking count, bytes, first and last. */
export async function sendRow(ctx: RowContext, base: string, size: number): Promise<RowResult> {
  const results = await alternate(
    {
      contenders: [...SENDERS, RAW],
      request: (count) => ({ op: 'send', url: `${base}/sink?count=${count}&size=${size}`, size, count }),
      initialCount: Math.max(20, Math.min(ctx.config.quick ? 8192 : 32_768, Math.floor(((ctx.config.quick ? 1 : 4) * MiB) / size))),
      minCount: 20,
      maxCount: 10_000_000,
      calibrate: true,
    },
    ctx,
  );
  return throughputRow(`send binary ${sizeLabel(size)}`, results);
}

/** Echo: round trips of 64 B, one at a time; p50 and p99 of each sample. */
export async function echoRows(ctx: RowContext, base: string): Promise<RowResult[]> {
  const results = await alternate<Measured & { times: number[] }>(
    { contenders: RECEIVERS, request: () => ({ op: 'echo', url: `${base}/echo`, count: ctx.config.echoCount }), initialCount: ctx.config.echoCount, minCount: 1, maxCount: 1e9, calibrate: false },
    ctx,
  );
  return [50, 99].map((p) => {
    const row = throughputRow(`echo round trip 64 B p${p}`, results, 'µs');
    for (const [name, { samples }] of results) if (row.values.has(name)) row.values.set(name, samples.map((s) => percentile(s.times, p)));
    return { ...row, higherIsBetter: false, cpu: p === 50 ? row.cpu : null, gc: p === 50 ? row.gc : null };
  });
}

/** Idle connections with production defaults, one fresh client process per contender. */
export async function idleRows(ctx: RowContext, base: string, onResult?: (name: string, result: IdleResult) => void): Promise<RowResult[]> {
  const n = ctx.config.idleConnections;
  const figures: Array<[string, string, (r: IdleResult) => number]> = [
    [`heap per idle connection (${n}, production defaults)`, 'KiB', (r) => r.heapPerConnection / 1024],
    [`RSS per idle connection (${n}, production defaults)`, 'KiB', (r) => r.rssPerConnection / 1024],
    [`idle CPU, ${n} connections`, '% of a core', (r) => r.cpuPercent],
    [`timer wake-ups, ${n} idle connections`, '/s', (r) => r.wakeUpsPerSecond],
    [`timer callbacks, ${n} idle connections`, '/s', (r) => r.callbacksPerSecond],
    [`pings received by the server in the wake-up window, ${n} idle connections`, '/s', (r) => r.pingsPerSecond],
  ];
  const rows: RowResult[] = figures.map(([label, unit]) => ({ label, unit, higherIsBetter: false, values: new Map(), cpu: null, gc: null, failed: new Map() }));
  for (const name of MANY) {
    const client = ctx.fresh(name);
    try {
      const result = await client.request<IdleResult>({ op: 'idle', url: base, connections: n, spreadMs: POLL_PERIOD, windowMs: ctx.config.idleWindowMs }, 120_000 + POLL_PERIOD + 2 * ctx.config.idleWindowMs + n * 20);
      figures.forEach(([, , pick], i) => rows[i]!.values.set(name, [pick(result)]));
      onResult?.(name, result);
    } catch (error) {
      for (const row of rows) row.failed.set(name, (error as Error).message);
    } finally {
      await client.stop();
    }
  }
  return rows;
}

/**
 * Fan-in: many connections, each receiving a trickle; a fresh client process per contender and pass. The
 * contenders take `fanInRounds` passes, the order reversed on every other one (as the other rows alternate),
 * so that no contender always runs first; a contender's windows are listed pass by pass, so that the paired
 * ratios compare windows of the same pass.
 */
export async function fanInRows(ctx: RowContext, base: string, size = 200, rate = 10, onResult?: (name: string, windows: FanInWindow[]) => void): Promise<RowResult[]> {
  const { fanInConnections: n, fanInWindows: windows, fanInWindowMs: windowMs, fanInRounds: rounds } = ctx.config;
  const what = `fan-in ${n} × ${rate} msg/s × ${size} B`;
  const figures: Array<[string, string, (w: FanInWindow) => number]> = [
    [`${what}: client CPU per message`, 'µs', (w) => w.cpuUs / w.messages],
    [`${what}: GC share of client CPU`, '%', (w) => (100 * w.gcMs * 1000) / w.cpuUs],
    [`${what}: client CPU`, '% of a core', (w) => w.cpuPercent],
  ];
  const rows: RowResult[] = figures.map(([label, unit]) => ({ label, unit, higherIsBetter: false, values: new Map(), cpu: null, gc: null, failed: new Map() }));
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 === 0 ? MANY : [...MANY].reverse()) {
      if (rows[0]!.failed.has(name)) continue;
      const client = ctx.fresh(name);
      try {
        const result = await client.request<FanInWindow[]>({ op: 'fanin', url: base, connections: n, size, rate, windows, windowMs }, 120_000 + windows * windowMs + n * 20);
        const problems = result.flatMap((w) => w.problems);
        if (problems.length > 0) throw new Error(problems.join('; '));
        figures.forEach(([, , pick], i) => rows[i]!.values.set(name, [...(rows[i]!.values.get(name) ?? []), ...result.map(pick)]));
        onResult?.(name, result);
      } catch (error) {
        for (const row of rows) {
          row.failed.set(name, (error as Error).message);
          row.values.delete(name);
        }
      } finally {
        await client.stop();
      }
    }
  }
  return rows;
}

/** The spec of a contender by name. */
export const specOf = (name: string) => SPECS.find((spec) => spec.name === name)!;
