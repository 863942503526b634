/**
 * A hostile WebSocket server for the conformance suite: a real TCP server on
 * 127.0.0.1 (node:net) that completes the opening handshake itself, then
 * plays a case script (raw server bytes, chunked with real pauses, waits,
 * waits for what the client sent) and records everything the client does:
 * its frames with their arrival times, and when it ended TCP.
 * It plays the role of Autobahn|Testsuite's fuzzingserver.
 */
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ClientFrameReader, type ClientFrame } from '../../lib/testing/client-frame-reader.js';
import { Opcode } from '../../lib/core/opcode.js';
import { serverFrame } from '../../lib/testing/server-frames.js';

/** RFC 6455 §1.3: the GUID appended to Sec-WebSocket-Key. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A client frame and when it arrived (performance.now(), ms). */
export interface TimedFrame extends ClientFrame {
  readonly at: number;
}

/** What the server saw on one connection. */
export interface ServerLog {
  /** The request head's headers, lower-case names. */
  readonly headers: Record<string, string>;
  /** Every frame the client sent, in order. */
  readonly frames: TimedFrame[];
  /** Named instants of the script (`mark` steps, and `@handshake`), performance.now() ms. */
  readonly marks: Record<string, number>;
  /** When the client ended or reset TCP, or null. */
  clientGoneAt: number | null;
  /** True once the server sent a close frame. */
  serverCloseSent: boolean;
  /** True when the script ran to its end (false when the connection ended first). */
  scriptCompleted: boolean;
}

/** What a step can do with the connection. */
export interface StepContext {
  readonly log: ServerLog;
  /** False once the server ended the connection or the client went away. */
  readonly alive: boolean;
  /** Writes raw bytes (no-op once the connection is gone). */
  write(bytes: Uint8Array): void;
  /** Writes raw bytes; returns false when the socket's buffer is full, and then calls `onDrain` once it drained. */
  writeWaitingForDrain(bytes: Uint8Array, onDrain: () => void): boolean;
  /** Sleeps for real time (returns early once the connection is gone). */
  sleep(ms: number): Promise<void>;
  /** Resolves once `predicate` holds for the log (checked on each client frame), or after `timeout` ms. */
  until(predicate: (log: ServerLog) => boolean, timeout: number): Promise<void>;
  /** Ends TCP (FIN). */
  end(): void;
  /** Resets TCP at once. */
  destroy(): void;
}

/** One action of a case script. */
export type Step = (ctx: StepContext) => void | Promise<void>;

/** How the server answers the client's close frame. */
export type CloseReply = 'echo' | 'end' | 'ignore';

/** A case script and the server's manners. */
export interface Script {
  readonly steps: readonly Step[];
  /**
   * On the client's close frame: `echo` (default) echoes it unless the server already sent a close, then ends TCP,
   * as the fuzzingserver does; `end` only ends TCP; `ignore` does nothing (for the close-timeout cases).
   */
  readonly onClientClose?: CloseReply;
  /** Sec-WebSocket-Extensions to answer with (only when the client offered an extension). */
  readonly extensions?: string;
}

/** Keeps whole frames together before the reader sees them: one copy per frame, however many TCP chunks it took. */
class FrameCollector {
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly reader = new ClientFrameReader();

  push(chunk: Buffer): ClientFrame[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const frames: ClientFrame[] = [];
    for (let need = this.nextFrameSize(); need !== null && need <= this.size; need = this.nextFrameSize()) {
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
      frames.push(...this.reader.push(all.subarray(0, need)));
      const rest = all.subarray(need);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
    }
    return frames;
  }

  /** Total size of the next frame, once its header is complete. */
  private nextFrameSize(): number | null {
    if (this.size < 2) return null;
    const head = this.chunks[0]!.length >= 14 ? this.chunks[0]! : Buffer.concat(this.chunks, Math.min(this.size, 14));
    const masked = (head[1]! & 0x80) !== 0 ? 4 : 0;
    const short = head[1]! & 0x7f;
    if (short < 126) return 2 + masked + short;
    if (short === 126) return head.length < 4 ? null : 4 + masked + head.readUInt16BE(2);
    return head.length < 10 ? null : 10 + masked + Number(head.readBigUInt64BE(2));
  }
}

/** A scripted server for one connection. */
export class ScriptedServer {
  /** The ws:// URL to connect to. */
  url = '';
  /** Filled in when the client connects. */
  log: ServerLog | null = null;
  /** Resolves when the script ended (ran out of steps or lost its connection). */
  readonly done: Promise<void>;
  /** Resolves when the connection's socket has closed. */
  readonly gone: Promise<void>;
  private resolveDone!: () => void;
  private resolveGone!: () => void;
  private readonly server: Server;
  private socket: Socket | null = null;

  private constructor(private readonly script: Script) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.gone = new Promise((resolve) => (this.resolveGone = resolve));
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Starts a server on 127.0.0.1 with an ephemeral port that plays `script` to its first client. */
  static async start(script: Script): Promise<ScriptedServer> {
    const server = new ScriptedServer(script);
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    server.url = `ws://127.0.0.1:${(server.server.address() as AddressInfo).port}/`;
    return server;
  }

  /** Resets any live connection and stops listening. */
  async stop(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    if (this.socket !== null) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => this.resolveGone());
    let head = Buffer.alloc(0);
    const onHead = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onHead);
      const log = this.handshake(socket, head.subarray(0, end).toString('latin1'));
      const collector = new FrameCollector();
      const onData = (data: Buffer): void => this.receive(socket, log, collector.push(data));
      socket.on('data', onData);
      if (head.length > end + 4) onData(head.subarray(end + 4));
      void this.play(socket, log);
    };
    socket.on('data', onHead);
  }

  private handshake(socket: Socket, head: string): ServerLog {
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n').slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const accept = createHash('sha1').update(`${headers['sec-websocket-key'] ?? ''}${GUID}`).digest('base64');
    const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`];
    if (this.script.extensions !== undefined && headers['sec-websocket-extensions'] !== undefined) {
      lines.push(`Sec-WebSocket-Extensions: ${this.script.extensions}`);
    }
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    const log: ServerLog = {
      headers,
      frames: [],
      marks: { '@handshake': performance.now() },
      clientGoneAt: null,
      serverCloseSent: false,
      scriptCompleted: false,
    };
    const gone = (): void => {
      log.clientGoneAt ??= performance.now();
      this.wake();
    };
    socket.on('end', gone);
    socket.on('close', gone);
    this.log = log;
    return log;
  }

  private waiters: Array<() => void> = [];

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  private receive(socket: Socket, log: ServerLog, frames: ClientFrame[]): void {
    const at = performance.now();
    for (const frame of frames) {
      log.frames.push({ ...frame, at });
      if (frame.opcode !== Opcode.CLOSE) continue;
      const reply = this.script.onClientClose ?? 'echo';
      if (reply === 'ignore' || socket.writableEnded) continue;
      if (reply === 'echo' && !log.serverCloseSent) {
        log.serverCloseSent = true;
        socket.write(serverFrame(Opcode.CLOSE, frame.payload.subarray(0, 2)));
      }
      socket.end();
    }
    if (frames.length > 0) this.wake();
  }

  private async play(socket: Socket, log: ServerLog): Promise<void> {
    const alive = (): boolean => !socket.writableEnded && !socket.destroyed && log.clientGoneAt === null;
    const ctx: StepContext = {
      log,
      get alive() {
        return alive();
      },
      write: (bytes) => {
        if (alive()) socket.write(bytes);
      },
      writeWaitingForDrain: (bytes, onDrain) => {
        if (!alive()) return true;
        if (socket.write(bytes)) return true;
        socket.once('drain', onDrain);
        return false;
      },
      // A sleep ends early when the connection is gone: nothing is left to pace.
      sleep: (ms) => ctx.until(() => false, ms),
      until: (predicate, timeout) =>
        new Promise<void>((resolve) => {
          let settled = false;
          const finish = (): void => {
            settled = true;
            clearTimeout(timer);
            resolve();
          };
          const check = (): void => {
            if (settled) return;
            if (predicate(log) || !alive()) finish();
            else this.waiters.push(check);
          };
          const timer = setTimeout(finish, timeout);
          check();
        }),
      end: () => socket.end(),
      destroy: () => socket.destroy(),
    };
    try {
      for (const step of this.script.steps) {
        if (!alive()) return;
        await step(ctx);
      }
      log.scriptCompleted = alive();
    } finally {
      this.resolveDone();
    }
  }
}
