/**
 * Where a client process measures: a {@link Window} reads the wall clock, the
 * process's CPU time (process.cpuUsage: user + system, all threads) and GC
 * time (perf_hooks "gc" entries) at its start and end; a {@link Sink} is the
 * receive side's window plus its content checks: the number of messages,
 * their total bytes, and the first and last message compared byte for byte
 * with what the server sent (bench/payloads.ts), so that a contender that
 * drops, reorders or corrupts is flagged, not only one that delivers the
 * wrong sizes.
 *
 * The per-message work is the same for every contender: one call that adds
 * the length and counts; the first and last messages are kept by reference
 * and compared after the window closed.
 */
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';

/** Recent GC entries (start and duration, ms on the performance clock; major or not), a ring of the last 4096. */
const gcStarts = new Float64Array(4096);
const gcDurations = new Float64Array(4096);
const gcMajor = new Uint8Array(4096);
let gcCount = 0;
const gcObserver = new PerformanceObserver((list) => record(list.getEntries()));
gcObserver.observe({ entryTypes: ['gc'] });

function record(entries: readonly PerformanceEntry[]): void {
  for (const entry of entries) {
    gcStarts[gcCount & 4095] = entry.startTime;
    gcDurations[gcCount & 4095] = entry.duration;
    gcMajor[gcCount & 4095] = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR ? 1 : 0;
    gcCount++;
  }
}

/** GC time (ms) and major (mark-compact) GCs that started within [from, to] (entries still buffered are taken now: they are delivered late). */
function gcBetween(from: number, to: number): { ms: number; majors: number } {
  record(gcObserver.takeRecords());
  let ms = 0;
  let majors = 0;
  for (let i = Math.max(0, gcCount - 4096); i < gcCount; i++) {
    const start = gcStarts[i & 4095]!;
    if (start >= from && start <= to) {
      ms += gcDurations[i & 4095]!;
      majors += gcMajor[i & 4095]!;
    }
  }
  return { ms, majors };
}

/** What a window measured. */
export interface Measured {
  /** Messages (or round trips) inside the window. */
  readonly messages: number;
  readonly seconds: number;
  /** Client CPU time inside the window, µs. */
  readonly cpuUs: number;
  /** GC time inside the window, ms. */
  readonly gcMs: number;
  /** Major (mark-compact) GCs inside the window. */
  readonly majorGcs: number;
  /** Content problems found at the sink (empty: all checks passed). */
  readonly problems: string[];
}

/** A measuring window over the client process. */
export class Window {
  private t0 = 0;
  private cpu0: NodeJS.CpuUsage | null = null;
  private t1 = 0;
  private cpu1: NodeJS.CpuUsage | null = null;

  start(): void {
    this.cpu0 = process.cpuUsage();
    this.t0 = performance.now();
  }

  finish(): void {
    this.t1 = performance.now();
    this.cpu1 = process.cpuUsage();
  }

  /** The window's figures over `messages` messages. */
  measured(messages: number, problems: string[] = []): Measured {
    if (!this.cpu0 || !this.cpu1) return { messages: 0, seconds: 0, cpuUs: 0, gcMs: 0, majorGcs: 0, problems: [...problems, 'the window never closed'] };
    const cpu = this.cpu1.user - this.cpu0.user + this.cpu1.system - this.cpu0.system;
    const gc = gcBetween(this.t0, this.t1);
    return { messages, seconds: (this.t1 - this.t0) / 1000, cpuUs: cpu, gcMs: gc.ms, majorGcs: gc.majors, problems };
  }
}

/** What the sink expects: `count` messages, `bytes` in all, and the first and last messages' content. */
export interface Expected {
  readonly count: number;
  readonly bytes: number;
  readonly first: string | Buffer;
  readonly last: string | Buffer;
}

type Message = string | Uint8Array | ArrayBuffer;

const sameContent = (got: Message | undefined, want: string | Buffer): boolean => {
  if (got === undefined) return false;
  if (typeof want === 'string') return got === want;
  if (typeof got === 'string') return false;
  const bytes = got instanceof ArrayBuffer ? Buffer.from(got) : Buffer.from(got.buffer, got.byteOffset, got.byteLength);
  return bytes.equals(want);
};

const describe = (m: Message | undefined): string =>
  m === undefined ? 'nothing' : typeof m === 'string' ? `text ${JSON.stringify(m.slice(0, 24))}… (${m.length} chars)` : `${m.byteLength} bytes`;

/**
 * The receive sink. The window opens at the first message and closes at the last, so that the rate and
 * the CPU per message are those of the steady stream (count - 1 messages), without the handshake.
 */
export class Sink {
  private seen = 0;
  private bytes = 0;
  private first: Message | undefined;
  private last: Message | undefined;
  readonly window = new Window();
  /** Set when the last expected message arrived. */
  done = false;

  constructor(readonly expected: Expected) {}

  /** One message of `length` bytes (for text: characters, the bench's text being ASCII); true when it was the last expected one. */
  push(message: Message, length: number): boolean {
    if (this.seen === 0) {
      this.window.start();
      this.first = message;
    }
    this.bytes += length;
    if (++this.seen === this.expected.count) {
      this.window.finish();
      this.last = message;
      this.done = true;
      return true;
    }
    return false;
  }

  /** The figures and the content checks (call once the sample ended, complete or not). */
  result(): Measured {
    const e = this.expected;
    const problems: string[] = [];
    if (this.seen !== e.count) problems.push(`${this.seen} of ${e.count} messages arrived`);
    if (this.bytes !== e.bytes) problems.push(`${this.bytes} bytes arrived, ${e.bytes} sent`);
    if (!sameContent(this.first, e.first)) problems.push(`the first message differs (${describe(this.first)})`);
    if (this.done && !sameContent(this.last, e.last)) problems.push(`the last message differs (${describe(this.last)})`);
    return this.window.measured(Math.max(0, this.seen - 1), problems);
  }
}

/** The raw socket's sink: counts bytes after the HTTP response until `bytes` arrived; checks the first frame's bytes. */
export class ByteSink {
  private bytes = 0;
  private head: Buffer | null = null;
  readonly window = new Window();
  done = false;

  constructor(
    readonly messages: number,
    readonly expectedBytes: number,
    readonly firstFrame: Buffer,
  ) {}

  /** Bytes of the WebSocket stream; true when all arrived. */
  push(chunk: Buffer): boolean {
    if (this.head === null) {
      this.window.start();
      this.head = Buffer.from(chunk.subarray(0, Math.min(chunk.length, this.firstFrame.length)));
    }
    this.bytes += chunk.length;
    if (this.bytes >= this.expectedBytes && !this.done) {
      this.window.finish();
      this.done = true;
      return true;
    }
    return false;
  }

  result(): Measured {
    const problems: string[] = [];
    if (this.bytes < this.expectedBytes) problems.push(`${this.bytes} of ${this.expectedBytes} bytes arrived`);
    if (!this.head || !this.firstFrame.subarray(0, this.head.length).equals(this.head)) problems.push('the first frame differs');
    // Messages over the bytes of the window, as the WebSocket sinks count theirs (all but the first).
    return this.window.measured(this.messages - 1, problems);
  }
}
