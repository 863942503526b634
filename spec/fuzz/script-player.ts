/**
 * The server's side of a fuzz case, shared by both drivers: it sends the
 * script's chunks one per event-loop turn (setImmediate between chunks),
 * reads the client's frames with lib/testing's independent reader, reacts to
 * the client's close as the case says, and records everything the oracle
 * needs: what it sent, what the client sent, when the client went away, the
 * longest event-loop stall between two steps and the peak of the process's
 * ArrayBuffer memory.
 */
import { performance } from 'node:perf_hooks';
import { ClientFrameReader, type ClientFrame } from '../../lib/testing/client-frame-reader.js';
import { serverFrame } from '../../lib/testing/server-frames.js';
import { renderScript, type DriverProfile, type Scenario, type Script } from './scenario.js';

/** How the player reaches the client. */
export interface Wire {
  send(chunk: Uint8Array): void;
  /** Ends the connection (FIN / EOF). */
  end(): void;
  /** Resets it (RST / ECONNRESET). */
  reset(): void;
}

/** A client frame and when it arrived (performance.now()). */
export interface LoggedFrame extends ClientFrame {
  readonly at: number;
}

/** What the server saw and did during one case. */
export interface ServerLog {
  /** The client's Sec-WebSocket-Key, once its request arrived. */
  key: string | null;
  /** The script rendered for that key. */
  script: Script | null;
  /** Chunks sent, in order: the script's, then replies (echo, pongs). */
  readonly sent: Uint8Array[];
  /** True once every chunk of the script was sent. */
  scriptCompleted: boolean;
  /** When the server stopped sending its script (its end, or a reaction to the client's close), or null. */
  scriptEndAt: number | null;
  /** When the player last did something (started, sent a chunk), or null before the client's request. */
  lastStepAt: number | null;
  readonly clientFrames: LoggedFrame[];
  /** When the client's connection went away (virtual: the transport was torn down; TCP: the socket closed). */
  clientGoneAt: number | null;
  /** How the server ended the connection, if it did. */
  serverEnd: 'end' | 'reset' | null;
  /** Longest gap between two steps of the player, ms: the event loop was blocked that long. */
  maxStall: number;
  /** Peak growth of `process.memoryUsage().arrayBuffers` over the case's start, bytes. */
  peakArrayBuffers: number;
}

/** A fresh log. */
export const emptyLog = (): ServerLog => ({
  key: null,
  script: null,
  sent: [],
  scriptCompleted: false,
  scriptEndAt: null,
  lastStepAt: null,
  clientFrames: [],
  clientGoneAt: null,
  serverEnd: null,
  maxStall: 0,
  peakArrayBuffers: 0,
});

/** Sample the memory every this many chunks (process.memoryUsage() costs a few µs). */
const MEMORY_EVERY = 32;

/** Plays one case's script to one client. */
export class ScriptPlayer {
  private readonly reader = new ClientFrameReader();
  private chunks: Uint8Array[] = [];
  private index = 0;
  /** No more script chunks (the script ended or a reaction stopped it). */
  private stopped = false;
  /** The connection is over for the server (it ended or reset it, or the client went away). */
  private closed = false;
  private lastStep = 0;
  private readonly pendingPongs: Uint8Array[] = [];
  private immediate: NodeJS.Immediate | null = null;
  /** ArrayBuffer memory at the start, then once the script is rendered (the server's own buffers are not the client's). */
  private baseArrayBuffers = process.memoryUsage().arrayBuffers;

  constructor(
    private readonly scenario: Scenario,
    private readonly profile: DriverProfile,
    private readonly wire: Wire,
    readonly log: ServerLog,
    /** Called once when the script stopped (the runner then lets the application close). */
    private readonly onScriptEnd: () => void,
  ) {}

  /** The client's request arrived: renders the script for its key and starts sending. */
  start(key: string): void {
    this.log.key = key;
    const script = renderScript(this.scenario, key, this.profile);
    this.log.script = script;
    this.chunks = script.chunks;
    this.baseArrayBuffers = process.memoryUsage().arrayBuffers;
    this.lastStep = performance.now();
    this.schedule();
  }

  private schedule(): void {
    this.immediate = setImmediate(() => {
      this.immediate = null;
      this.step();
    });
  }

  private step(): void {
    const now = performance.now();
    this.log.maxStall = Math.max(this.log.maxStall, now - this.lastStep);
    this.lastStep = now;
    this.log.lastStepAt = now;
    if (this.stopped || this.closed) return;
    if (this.index % MEMORY_EVERY === 0) this.sampleMemory();
    if (this.index < this.chunks.length) {
      this.send(this.chunks[this.index++]!);
      // The client handles the chunk synchronously, inside send: time it too (there may be no next step).
      this.log.maxStall = Math.max(this.log.maxStall, performance.now() - now);
      // With `closeAtOnce`, the FIN or RST follows the last chunk in the same turn (one write and a close).
      const atOnce = this.scenario.server.closeAtOnce === true && this.index === this.chunks.length;
      if (!this.closed && !atOnce) this.schedule();
      if (!atOnce || this.closed || this.stopped) return;
    }
    this.log.scriptCompleted = true;
    this.stopScript();
    for (const pong of this.pendingPongs.splice(0)) this.send(pong);
    const after = this.scenario.server.after;
    if (after === 'end') this.end();
    else if (after === 'reset') this.reset();
  }

  private sampleMemory(): void {
    const grown = process.memoryUsage().arrayBuffers - this.baseArrayBuffers;
    this.log.peakArrayBuffers = Math.max(this.log.peakArrayBuffers, grown);
  }

  private stopScript(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.sampleMemory();
    this.log.scriptEndAt = performance.now();
    this.onScriptEnd();
  }

  private send(chunk: Uint8Array): void {
    if (this.closed) return;
    this.log.sent.push(chunk);
    this.wire.send(chunk);
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    this.log.serverEnd = 'end';
    this.wire.end();
  }

  private reset(): void {
    if (this.closed) return;
    this.closed = true;
    this.log.serverEnd = 'reset';
    this.wire.reset();
  }

  /**
   * Bytes the client sent after its request, written at `at` (they may reach the server later, behind
   * backpressure). Reactions run on a later turn, never inside the client's write.
   */
  onClientData(bytes: Uint8Array, at = performance.now()): void {
    for (const frame of this.reader.push(bytes)) {
      // Logged even once the server ended its side: a half-closed TCP connection still carries the client's frames.
      this.log.clientFrames.push({ ...frame, at });
      if (this.closed) continue;
      if (frame.opcode === 0x9 && this.scenario.server.autoPong) this.pong(frame.payload);
      if (frame.opcode === 0x8 && this.log.clientFrames.filter((f) => f.opcode === 0x8).length === 1) this.clientClosed(frame.payload);
    }
  }

  private pong(payload: Uint8Array): void {
    const pong = serverFrame(0xa, payload);
    // Never in the middle of the script: a chunk may end inside a frame.
    if (!this.stopped) this.pendingPongs.push(pong);
    else setImmediate(() => this.send(pong));
  }

  private clientClosed(payload: Uint8Array): void {
    const reaction = this.scenario.server.onClientClose;
    if (reaction === 'ignore') return;
    this.stopScript();
    setImmediate(() => {
      if (reaction === 'echo' || reaction === 'echo-reset') this.send(serverFrame(0x8, payload.subarray(0, 2)));
      if (reaction === 'echo' || reaction === 'end') this.end();
      else if (reaction === 'reset') this.reset();
      else setImmediate(() => this.reset()); // echo-reset: the echo goes out first
    });
  }

  /** The client went away: nothing more is sent. */
  clientGone(): void {
    if (this.log.clientGoneAt === null) this.log.clientGoneAt = performance.now();
    this.closed = true;
    this.stopScript();
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.immediate = null;
  }
}
