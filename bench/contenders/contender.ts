/**
 * The interface every client under test implements in a client process
 * (bench/client-worker.ts), and the rules they share: the same backpressure
 * rule for every sender, the same clock for every round trip.
 */
import type { Sink, Window } from '../sink.js';

/** A send sample: `count` messages, the first and last distinct from the middle ones (the server checks them). */
export interface SendPlan {
  readonly count: number;
  readonly first: Buffer;
  readonly middle: Buffer;
  readonly last: Buffer;
}

/** An echo sample's round trips, µs each, and how many replies differed from what was sent. */
export interface EchoResult {
  readonly times: number[];
  readonly wrong: number;
}

/** One client implementation. */
export interface Contender {
  readonly name: string;
  /**
   * Connects to `url` and pushes every data message into `sink` until it says it got the last one, then drops
   * the connection at once; resolves then, or when the connection ended first (the sink then reports what is
   * missing). Rejects only when it could not connect.
   */
  receive(url: string, sink: Sink, compress: boolean): Promise<void>;
  /** Sends the plan's messages (binary), the window open from the open connection to the server's summary; resolves with the summary (JSON text). */
  send(url: string, plan: SendPlan, window: Window): Promise<string>;
  /** `count` round trips of a 64-byte text message, one at a time, inside `window`. */
  echo(url: string, count: number, window: Window): Promise<EchoResult>;
  /**
   * Opens a connection with the library's production defaults (lomond: pingRate 30 s, poll 5 s), calling
   * `onText` for every text message; resolves with a closer once open.
   */
  open(url: string, onText: ((text: string) => void) | null): Promise<() => void>;
}

/** The most a sender leaves queued before waiting (every contender, same rule). */
const HIGH_WATER = 1024 * 1024;
const later = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Sends the plan with the shared backpressure rule: wait a macrotask while more than 1 MiB is queued. */
export async function pumped(plan: SendPlan, buffered: () => number, sendOne: (payload: Buffer) => void): Promise<void> {
  const { count, first, middle, last } = plan;
  for (let i = 0; i < count; i++) {
    while (buffered() > HIGH_WATER) await later();
    sendOne(i === 0 ? first : i === count - 1 ? last : middle);
  }
}

/** µs on the monotonic clock. */
export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** The echo rows' message. */
export const ECHO_MESSAGE = 'x'.repeat(64);
