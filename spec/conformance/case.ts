/**
 * A conformance case: a server script plus what the client must do, checked
 * the way Autobahn's fuzzingserver judges a client (echoes in order, close
 * code, timing), and a recorder for the summary table.
 */
import { performance } from 'node:perf_hooks';
import { runCase, type ClientRun, type HarnessOptions } from './client-harness.js';
import { inflateAll } from './deflate.js';
import type { Script, Step } from './scripted-server.js';

/** An expected echo: text (string or its UTF-8 bytes) or binary bytes. */
export interface Echo {
  readonly type: 'text' | 'binary';
  readonly data: Uint8Array;
}

/** Expects a text echo. */
export const txt = (data: string | Uint8Array): Echo => ({ type: 'text', data: typeof data === 'string' ? Buffer.from(data) : data });
/** Expects a binary echo. */
export const bin = (data: Uint8Array | string): Echo => ({ type: 'binary', data: typeof data === 'string' ? Buffer.from(data) : data });

/** What the client must do. */
export interface Expectation {
  /** Messages echoed, in order (default none). */
  readonly echo?: readonly Echo[];
  /** Pong payloads sent, in order (default none). */
  readonly pongs?: ReadonlyArray<string | Uint8Array>;
  /** The code of the client's close frame; `'empty'` for an empty close payload; `'none'` when it must drop without one. */
  readonly close: number | 'empty' | 'none';
  /** The final `disconnected` event's `graceful` (default: true for a clean close, false after a protocol error). */
  readonly graceful?: boolean;
  /** A `protocol_error` event is expected (default: when `close` is 1002, 1007, 1009 or 'none'). */
  readonly protocolError?: boolean;
  /** The client's stream must complete within this many ms of the handshake (default closeTimeout + 500). */
  readonly within?: number;
  /** ... and not before this many ms (for the close-timeout cases). */
  readonly notBefore?: number;
  /** Inflate the client's compressed (RSV1) echoes before comparing them; `noContextTakeover` per client_no_context_takeover. */
  readonly inflate?: { readonly noContextTakeover: boolean; readonly windowBits?: number };
  /** Errors the echo handler's send calls must have thrown (default none). */
  readonly sendErrors?: readonly string[];
  /** Any further check. */
  readonly check?: (run: ClientRun) => void;
}

/** One case. */
export interface ConformanceCase {
  /** Autobahn-style id, e.g. '1.1.3'. */
  readonly id: string;
  /** A sentence: what the client does. */
  readonly title: string;
  /** The server's steps. */
  readonly steps: readonly Step[];
  /** Server manners (close reply, extensions). */
  readonly server?: Omit<Script, 'steps'>;
  /** Client options. */
  readonly client?: HarnessOptions;
  readonly expect: Expectation;
}

const ERROR_CODES = new Set<number | string>([1002, 1007, 1009, 'none']);

function describeBytes(data: Uint8Array): string {
  const head = Buffer.from(data.subarray(0, 24)).toString('hex');
  return `${data.length} bytes ${head}${data.length > 24 ? '…' : ''}`;
}

/** Compares echoes without jest's deep equality (too slow for 16 MiB). */
function checkEchoes(run: ClientRun, expectation: Expectation): void {
  const expected = expectation.echo ?? [];
  const sendErrors = expectation.sendErrors ?? [];
  const inflate = expectation.inflate;
  const datas = inflate ? inflateAll(run.messages, inflate.noContextTakeover, inflate.windowBits) : run.messages.map((m) => m.data);
  const got = run.messages.map((m, i) => `${m.type}${m.compressed && !inflate ? '(compressed)' : ''} ${describeBytes(datas[i]!)}`);
  const want = expected.map((m) => `${m.type} ${describeBytes(m.data)}`);
  // Send errors show why an echo is missing (e.g. the connection already failed when the handler ran).
  expect({ echoes: got, sendErrors: run.sendErrors }).toEqual({ echoes: want, sendErrors });
  expected.forEach((m, i) => {
    if (!Buffer.from(m.data).equals(datas[i]!)) throw new Error(`echo ${i} differs from the message sent (${want[i]})`);
  });
}

/** Asserts a run against its expectation. */
export function checkRun(run: ClientRun, expectation: Expectation, closeTimeout = 1000): void {
  const names = run.events.map((e) => e.name);
  const final = run.events.at(-1);
  expect(final?.name).toBe('disconnected');
  checkEchoes(run, expectation);
  const pongs = (expectation.pongs ?? []).map((p) => Buffer.from(typeof p === 'string' ? Buffer.from(p) : p).toString('hex'));
  expect(run.pongs.map((p) => p.toString('hex'))).toEqual(pongs);
  expect(run.closeCode).toBe(expectation.close);
  // RFC 6455 §5.3: every client frame is masked; §5.5.1: no data frame after the client's close frame.
  for (const frame of run.server.frames) expect(frame.masked).toBe(true);
  const afterClose = run.closeFrame ? run.server.frames.slice(run.server.frames.indexOf(run.closeFrame) + 1) : [];
  expect(afterClose.filter((f) => f.opcode < 0x8).map((f) => f.opcode)).toEqual([]);
  const failing = expectation.protocolError ?? ERROR_CODES.has(expectation.close);
  expect(names.includes('protocol_error')).toBe(failing);
  const graceful = expectation.graceful ?? !failing;
  expect(final).toMatchObject({ name: 'disconnected', graceful });
  if (graceful) expect(names).toContain('closed');
  const within = expectation.within ?? closeTimeout + 500;
  expect(run.duration).toBeLessThanOrEqual(within);
  if (expectation.notBefore !== undefined) expect(run.duration).toBeGreaterThanOrEqual(expectation.notBefore);
  expectation.check?.(run);
}

/** One row of the summary. */
export interface CaseResult {
  readonly category: string;
  readonly id: string;
  readonly passed: boolean;
  readonly ms: number;
}

/** Results of the whole run, for the summary table. */
export const results: CaseResult[] = [];

/**
 * Declares one jest test per case, recording each outcome and time.
 *
 * @param category - the summary row, e.g. '1 framing'
 * @param cases - the cases
 */
export function defineCases(category: string, cases: readonly ConformanceCase[]): void {
  for (const c of cases) {
    it(`${c.id} ${c.title}`, async () => {
      const start = performance.now();
      let passed = false;
      try {
        const run = await runCase({ steps: c.steps, ...c.server }, c.client);
        checkRun(run, c.expect, c.client?.session?.closeTimeout ?? 1000);
        passed = true;
      } finally {
        results.push({ category, id: c.id, passed, ms: performance.now() - start });
      }
    });
  }
}

/** Formats the summary table: category | cases | passed | failed | time ms, plus per-case times for `detailed` categories. */
export function summaryTable(rows: readonly CaseResult[], detailed: (category: string) => boolean = () => false): string {
  const categories = [...new Set(rows.map((r) => r.category))];
  const pad = (s: string | number, n: number): string => String(s).padEnd(n);
  const lines = [`${pad('category', 22)}| cases | passed | failed | time ms`, `${'-'.repeat(22)}|-------|--------|--------|--------`];
  let total = 0;
  for (const category of categories) {
    const own = rows.filter((r) => r.category === category);
    const ms = own.reduce((sum, r) => sum + r.ms, 0);
    total += ms;
    const passed = own.filter((r) => r.passed).length;
    lines.push(`${pad(category, 22)}| ${pad(own.length, 6)}| ${pad(passed, 7)}| ${pad(own.length - passed, 7)}| ${Math.round(ms)}`);
  }
  const passed = rows.filter((r) => r.passed).length;
  lines.push(`${pad('total', 22)}| ${pad(rows.length, 6)}| ${pad(passed, 7)}| ${pad(rows.length - passed, 7)}| ${Math.round(total)}`);
  for (const category of categories.filter(detailed)) {
    lines.push('', `${category}: time per case (ms)`);
    for (const r of rows.filter((row) => row.category === category)) lines.push(`  ${pad(r.id, 10)} ${pad(Math.round(r.ms), 7)} ${r.passed ? 'ok' : 'FAILED'}`);
  }
  const failed = rows.filter((r) => !r.passed);
  if (failed.length > 0) lines.push('', `failed: ${failed.map((r) => r.id).join(', ')}`);
  return lines.join('\n');
}
