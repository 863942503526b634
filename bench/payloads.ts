/**
 * The bench's messages, deterministic, shared by the server (what it sends and
 * what it expects to receive) and the clients (what they check at the sink).
 *
 * Blast rows: the first and the last message of a sample differ from the
 * middle ones (same size, other bytes), so that a contender that drops,
 * reorders or corrupts is caught by comparing the first and last message and
 * the total byte count, not only the sizes.
 *
 * JSON rows (permessage-deflate): generated market data (order-book depth
 * updates), 64 distinct messages of about the target size, ASCII only (so a
 * string's length is its byte count), with prices, sizes and ids drawn from a
 * seeded generator: it compresses like real feeds (≈ 2–3×), not like 'a'…'z'
 * repeated (≈ 300×).
 */
import { constants, deflateRawSync } from 'node:zlib';

/** Which message of a sample. */
export type Which = 'first' | 'middle' | 'last';

const SHIFT: Record<Which, number> = { first: 1, middle: 0, last: 2 };

const blasts = new Map<string, Buffer>();

/** A blast message: binary bytes `(i * 7 + shift) & 0xff`, text 'a'…'z' shifted; same size for first, middle and last (cached: do not modify). */
export function blastPayload(size: number, text: boolean, which: Which): Buffer {
  const key = `${size} ${text} ${which}`;
  const hit = blasts.get(key);
  if (hit) return hit;
  const shift = SHIFT[which];
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = text ? 97 + ((i + shift) % 26) : (i * 7 + shift) & 0xff;
  blasts.set(key, out);
  return out;
}

/** mulberry32: a small seeded generator, so every process builds the same JSON. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYMBOLS = ['BTC-USD', 'ETH-USD', 'SOL-USD', 'ADA-EUR', 'XRP-USDT', 'DOGE-USD', 'LTC-BTC', 'DOT-EUR'];
export const JSON_MESSAGES = 64;
const cache = new Map<number, string[]>();

/** The distinct JSON messages of a JSON row of about `target` bytes each (cached per target). */
export function tickerMessages(target: number): string[] {
  const hit = cache.get(target);
  if (hit) return hit;
  const random = seeded(target);
  const messages: string[] = [];
  let sequence = 4_812_337_120;
  for (let m = 0; m < JSON_MESSAGES; m++) {
    const symbol = SYMBOLS[m % SYMBOLS.length]!;
    const mid = 100 + random() * 40_000;
    const message = {
      type: 'l2update',
      product_id: symbol,
      sequence: (sequence += 1 + Math.floor(random() * 40)),
      time: new Date(Date.UTC(2026, 10, 24, 12, 0, 0) + m * 137 + Math.floor(random() * 100)).toISOString(),
      best_bid: (mid - random()).toFixed(2),
      best_ask: (mid + random()).toFixed(2),
      volume_24h: (random() * 1e6).toFixed(8),
      changes: [] as Array<[string, string, string]>,
    };
    // Levels until the target size: [side, price, size], as exchanges send them (the length counted as they are added).
    let length = JSON.stringify(message).length;
    while (length < target - 40) {
      const side = random() < 0.5 ? 'buy' : 'sell';
      const price = side === 'buy' ? mid - random() * 50 : mid + random() * 50;
      const level: [string, string, string] = [side, price.toFixed(2), (random() * 3).toFixed(8)];
      message.changes.push(level);
      length += JSON.stringify(level).length + (message.changes.length > 1 ? 1 : 0);
    }
    messages.push(JSON.stringify(message));
  }
  cache.set(target, messages);
  return messages;
}

/** The message at `index` of a JSON sample (the server cycles through the distinct ones). */
export function tickerAt(target: number, index: number): string {
  const messages = tickerMessages(target);
  return messages[index % messages.length]!;
}

/** Total bytes of the first `count` messages of a JSON sample. */
export function tickerBytes(target: number, count: number): number {
  const messages = tickerMessages(target);
  const cycle = messages.reduce((sum, m) => sum + m.length, 0);
  let total = Math.floor(count / messages.length) * cycle;
  for (let i = 0; i < count % messages.length; i++) total += messages[i]!.length;
  return total;
}

/** RFC 7692 §7.2.1 compression of one message: "Remove 4 octets (that are 0x00 0x00 0xff 0xff) from the tail end." */
export function deflateMessage(payload: Buffer): Buffer {
  return deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4);
}

/** Compressed / raw bytes over the distinct messages of a JSON row. */
export function tickerCompression(target: number): number {
  const messages = tickerMessages(target);
  let raw = 0;
  let compressed = 0;
  for (const m of messages) {
    raw += m.length;
    compressed += deflateMessage(Buffer.from(m)).length;
  }
  return compressed / raw;
}

/** The fan-in message: ~`size` bytes of ASCII JSON. */
export function fanInPayload(size: number): string {
  const head = '{"type":"tick","symbol":"BTC-USD","price":"43210.55","pad":"';
  return head + 'x'.repeat(Math.max(0, size - head.length - 2)) + '"}';
}
