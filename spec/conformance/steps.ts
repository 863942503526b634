/**
 * The vocabulary of case scripts: server frames (valid and hostile) and the
 * steps that send them, split them with real pauses, wait, and wait for the
 * client. Built on lomond/testing's `serverFrame`.
 */
import { performance } from 'node:perf_hooks';
import { Opcode } from '../../lib/core/opcode.js';
import { closePayload, serverFrame, type ServerFrameOptions } from '../../lib/testing/server-frames.js';
import type { ServerLog, Step } from './scripted-server.js';

type Payload = string | Uint8Array;

/** A text frame (FIN set unless `fin: false`). */
export const text = (payload: Payload = '', options?: ServerFrameOptions): Uint8Array => serverFrame(Opcode.TEXT, payload, options);
/** A binary frame. */
export const binary = (payload: Payload = '', options?: ServerFrameOptions): Uint8Array => serverFrame(Opcode.BINARY, payload, options);
/** A continuation frame. */
export const cont = (payload: Payload = '', options?: ServerFrameOptions): Uint8Array => serverFrame(Opcode.CONTINUATION, payload, options);
/** A ping frame. */
export const ping = (payload: Payload = '', options?: ServerFrameOptions): Uint8Array => serverFrame(Opcode.PING, payload, options);
/** A pong frame. */
export const pong = (payload: Payload = '', options?: ServerFrameOptions): Uint8Array => serverFrame(Opcode.PONG, payload, options);
/** A close frame with any code (also invalid ones) and raw reason bytes; no code means an empty payload. */
export const close = (code?: number, reason: Payload = '', options?: ServerFrameOptions): Uint8Array =>
  serverFrame(Opcode.CLOSE, closePayload(code, reason), options);
/** A frame with any opcode (reserved ones included). */
export const frame = (opcode: number, payload: Payload = '', options?: ServerFrameOptions): Uint8Array => serverFrame(opcode, payload, options);

/** Splits `payload` into `count` frames of a `first` opcode then continuations (the last with FIN). */
export function fragments(first: number, pieces: readonly Uint8Array[]): Uint8Array[] {
  return pieces.map((piece, i) => serverFrame(i === 0 ? first : Opcode.CONTINUATION, piece, { fin: i === pieces.length - 1 }));
}

/** Cuts `bytes` into pieces of `size` bytes (the last may be shorter), or at the given offsets. */
export function cut(bytes: Uint8Array, at: number | readonly number[]): Uint8Array[] {
  const offsets: number[] = [];
  if (typeof at === 'number') for (let i = at; i < bytes.length; i += at) offsets.push(i);
  else offsets.push(...at);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const offset of [...offsets, bytes.length]) {
    pieces.push(bytes.subarray(from, offset));
    from = offset;
  }
  return pieces;
}

/** Joins byte arrays. */
export const concat = (...parts: readonly Uint8Array[]): Uint8Array => Buffer.concat(parts);

const isClose = (bytes: Uint8Array): boolean => (bytes[0]! & 0x0f) === Opcode.CLOSE;

/** Sends frames in one write. A close frame among them marks the server's close as sent. */
export const send =
  (...frames: Uint8Array[]): Step =>
  (ctx) => {
    if (frames.some(isClose)) ctx.log.serverCloseSent = true;
    ctx.write(frames.length === 1 ? frames[0]! : concat(...frames));
  };

/** The normal end of a case: the server's close frame (1000 by default). */
export const closeWith = (code = 1000, reason = ''): Step => send(close(code, reason));

/**
 * Writes `pieces` one by one with a real pause of `delay` ms between them;
 * marks `${label}:${i}` just before writing piece i. Stops early when the
 * connection is gone (e.g. the client failed it after an earlier piece).
 */
export const pieces =
  (parts: readonly Uint8Array[], delay: number, label = 'piece'): Step =>
  async (ctx) => {
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) await ctx.sleep(delay);
      if (!ctx.alive) return;
      ctx.log.marks[`${label}:${i}`] = performance.now();
      ctx.write(parts[i]!);
    }
  };

/** Writes `bytes` in chunks of `size` bytes (or cut at the offsets) with `delay` ms between them. */
export const chunked = (bytes: Uint8Array, at: number | readonly number[], delay: number, label?: string): Step =>
  pieces(cut(bytes, at), delay, label);

/** Sleeps. */
export const wait =
  (ms: number): Step =>
  (ctx) =>
    ctx.sleep(ms);

/** Records the current time under `label`. */
export const mark =
  (label: string): Step =>
  (ctx) => {
    ctx.log.marks[label] = performance.now();
  };

/** Count of complete data messages the client sent so far. */
export const messageCount = (log: ServerLog): number =>
  log.frames.reduce((n, f) => n + (f.fin && (f.opcode === Opcode.TEXT || f.opcode === Opcode.BINARY || f.opcode === Opcode.CONTINUATION) ? 1 : 0), 0);

/** Waits until the client sent `count` data messages in all (or `timeout` ms). */
export const untilMessages =
  (count: number, timeout = 5000): Step =>
  (ctx) =>
    ctx.until((log) => messageCount(log) >= count, timeout);

/** Waits until the client sent `count` frames with `opcode` (or `timeout` ms). */
export const untilFrames =
  (opcode: number, count: number, timeout = 2000): Step =>
  (ctx) =>
    ctx.until((log) => log.frames.filter((f) => f.opcode === opcode).length >= count, timeout);

/** Ends TCP (FIN) without a close frame. */
export const endTcp: Step = (ctx) => ctx.end();

/** A repeated ASCII pattern of exactly `size` bytes (Autobahn uses '*'). */
export function ascii(size: number, pattern = 'BAsd7&jh23'): Buffer {
  return Buffer.alloc(size, pattern);
}

/** `size` bytes of a fixed non-UTF-8 pattern. */
export function bytes(size: number): Buffer {
  const data = Buffer.allocUnsafe(size);
  const block = Buffer.from([0xfe, 0xed, 0xfa, 0xce, 0x00, 0xff, 0x80, 0x7f, 0x01, 0xc0, 0x11]);
  data.fill(block);
  return data;
}

/** Hex string (spaces allowed) → bytes. */
export const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
