/**
 * Micro-benchmark of the receive path of the sans-IO core (not a test):
 * parses 100k small server frames cut into 64 KiB chunks, as a socket would
 * deliver them, and prints frames per second for
 *
 *   - `FrameParser` alone (a handler that only counts frames),
 *   - `FrameParser` + `MessageAssembler` (what `ClientProtocol` does per frame),
 *   - the same with text frames (UTF-8 validated as it arrives), with the
 *     portable validator and with Node's `buffer.isUtf8` injected,
 *   - ws's `Receiver` on the same bytes, for scale.
 *
 *   npx tsx bench/core-parse.ts            (FRAMES=… SIZE=… CHUNK=… to change the load)
 */
import { isUtf8 } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { serverFrame } from '../lib/testing/server-frames.js';
import { FrameParser, type FrameHandler } from '../lib/core/frame-parser.js';
import { MessageAssembler } from '../lib/core/message-assembler.js';
import { Opcode } from '../lib/core/opcode.js';

const FRAMES = Number(process.env.FRAMES ?? 100_000);
const SIZE = Number(process.env.SIZE ?? 64);
const CHUNK = Number(process.env.CHUNK ?? 64 * 1024);
const ROUNDS = 15;
const MiB = 1024 * 1024;
const alloc = (size: number): Uint8Array => Buffer.allocUnsafe(size);

/** The server's byte stream cut into socket-sized Buffers. */
function stream(opcode: number): Buffer[] {
  const payload = Buffer.alloc(SIZE, 'x');
  // Text: mostly ASCII with an 'é' (C3 A9) every 8 bytes.
  if (opcode === Opcode.TEXT) for (let i = 0; i + 1 < SIZE; i += 8) payload.write('é', i);
  const frame = serverFrame(opcode, payload);
  const all = Buffer.allocUnsafe(frame.length * FRAMES);
  for (let i = 0; i < FRAMES; i++) all.set(frame, i * frame.length);
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; at += CHUNK) chunks.push(Buffer.from(all.subarray(at, at + CHUNK)));
  return chunks;
}

/** Runs `parse` over the chunks ROUNDS times; returns the median frames/s. */
function measure(label: string, chunks: Buffer[], parse: (chunks: Buffer[]) => number): number {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    const count = parse(chunks);
    const seconds = (performance.now() - start) / 1000;
    if (count !== FRAMES) throw new Error(`${label}: parsed ${count} frames, expected ${FRAMES}`);
    rates.push(count / seconds);
  }
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)]!;
  const bytes = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const rate = Math.round(median).toLocaleString('en-US');
  console.log(`${label.padEnd(36)} ${rate.padStart(12)} frames/s  ${((median * bytes) / FRAMES / MiB).toFixed(0).padStart(6)} MiB/s`);
  return median;
}

function parserOnly(chunks: Buffer[]): number {
  let count = 0;
  const handler: FrameHandler = {
    onDataFrame() {
      count++;
    },
    onDataStart() {},
    onDataPart() {},
    onDataEnd() {
      count++;
    },
    onControl() {
      count++;
    },
  };
  const parser = new FrameParser(handler, { maxPayload: 100 * MiB, alloc });
  for (const chunk of chunks) parser.push(chunk);
  return count;
}

/** Mirrors ClientProtocol's FrameHandler: data frames go through the assembler. */
class AssemblingHandler implements FrameHandler {
  count = 0;
  readonly assembler: MessageAssembler;
  constructor(native: boolean) {
    this.assembler = new MessageAssembler({ maxMessageSize: 100 * MiB, alloc, isUtf8: native ? isUtf8 : undefined });
  }
  onDataFrame(opcode: number, fin: boolean, rsv1: boolean, payload: Uint8Array): void {
    if (this.assembler.frame(opcode, fin, rsv1, payload) !== null) this.count++;
  }
  onDataStart(opcode: number, fin: boolean, rsv1: boolean, length: number): void {
    this.assembler.frameStart(opcode, fin, rsv1, length);
  }
  onDataPart(part: Uint8Array): void {
    this.assembler.payloadPart(part);
  }
  onDataEnd(): void {
    if (this.assembler.frameEnd() !== null) this.count++;
  }
  onControl(): void {
    this.count++;
  }
}

function parserAndAssembler(chunks: Buffer[], native = false): number {
  const handler = new AssemblingHandler(native);
  const parser = new FrameParser(handler, { maxPayload: 100 * MiB, alloc });
  for (const chunk of chunks) parser.push(chunk);
  return handler.count;
}

/** The little of ws's (untyped) Receiver this bench drives. */
interface WsReceiver {
  on(event: 'message', listener: () => void): void;
  _write(chunk: Buffer, encoding: string, callback: () => void): void;
}

function wsReceiver(chunks: Buffer[]): number {
  const { Receiver } = require('ws') as { Receiver: new (options: object) => WsReceiver };
  const receiver = new Receiver({ isServer: false, maxPayload: 100 * MiB });
  let count = 0;
  receiver.on('message', () => count++);
  const done = (): void => {};
  for (const chunk of chunks) receiver._write(chunk, 'buffer', done);
  return count;
}

console.log(`${FRAMES} frames of ${SIZE} bytes in ${CHUNK}-byte chunks, median of ${ROUNDS} rounds (node ${process.version})`);
const binary = stream(Opcode.BINARY);
const text = stream(Opcode.TEXT);
measure('FrameParser (binary)', binary, parserOnly);
const ours = measure('FrameParser + assembler (binary)', binary, (chunks) => parserAndAssembler(chunks));
measure('FrameParser + assembler (text)', text, (chunks) => parserAndAssembler(chunks));
measure('… with native isUtf8 (text)', text, (chunks) => parserAndAssembler(chunks, true));
const theirs = measure('ws Receiver (binary)', binary, wsReceiver);
measure('ws Receiver (text)', text, wsReceiver);
console.log(`lomond / ws (binary, with assembler): ${(ours / theirs).toFixed(2)}x`);
