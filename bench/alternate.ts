/**
 * How every sampled row runs: the contenders take turns, one sample each per
 * repeat, the order reversed on every other repeat (A B C, C B A, A B C …)
 * so that no contender always follows the same one (a connection still
 * closing, a GC due, the machine's other load); first a warm-up pass (not
 * recorded) that also calibrates each contender's message count so that its
 * samples last about the target time (`sampleMs`) whatever its speed (a
 * second warm-up sample when the first was much shorter than that).
 * A sample whose content checks fail, or that fails, marks the contender
 * failed for the row (its numbers would not be comparable) and it sits out
 * the remaining repeats.
 */
import type { ClientProcess } from './client-pool.js';
import type { Request } from './protocol.js';
import type { Measured } from './sink.js';

/** How to sample one row. */
export interface SamplePlan {
  readonly contenders: readonly string[];
  /** The request for a sample of `count` messages (count is ignored by rows that do not calibrate). */
  request(count: number): Request;
  /** The warm-up sample's count; later samples are calibrated to `sampleMs` between `minCount` and `maxCount`. */
  readonly initialCount: number;
  readonly minCount: number;
  readonly maxCount: number;
  readonly calibrate: boolean;
}

/** What the runner passes every row. */
export interface AlternateOptions {
  readonly pool: ReadonlyMap<string, ClientProcess>;
  readonly repeats: number;
  readonly sampleMs: number;
  readonly settleMs: number;
}

/** One contender's samples in a row, in repeat order; `failed` says why it stopped. */
export interface Samples<T extends Measured = Measured> {
  readonly samples: T[];
  failed: string | null;
}

const VERBOSE = process.env.BENCH_VERBOSE === '1';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function alternate<T extends Measured>(plan: SamplePlan, options: AlternateOptions): Promise<Map<string, Samples<T>>> {
  const who = plan.contenders.filter((name) => options.pool.has(name));
  const out = new Map<string, Samples<T>>(who.map((name) => [name, { samples: [], failed: null }]));
  const counts = new Map<string, number>();
  const timeout = (count: number, rate: number | undefined): number => Math.max(20_000, rate ? (40 * count) / rate * 1000 : 60_000);
  const rates = new Map<string, number>();

  const sample = async (name: string, count: number): Promise<T | null> => {
    const entry = out.get(name)!;
    await sleep(options.settleMs);
    const started = Date.now();
    try {
      const result = await options.pool.get(name)!.request<T>(plan.request(count), timeout(count, rates.get(name)));
      if (VERBOSE) console.log(`      ${name}: ${count} messages, window ${(result.seconds * 1000).toFixed(0)} ms, sample ${Date.now() - started} ms${result.problems.length ? `, ${result.problems.join('; ')}` : ''}`);
      if (result.problems.length > 0) {
        entry.failed = result.problems.join('; ');
        return null;
      }
      return result;
    } catch (error) {
      entry.failed = (error as Error).message;
      return null;
    }
  };

  const calibrate = async (name: string, count: number): Promise<number | null> => {
    const warm = await sample(name, count);
    if (!warm) return null;
    const rate = warm.messages / Math.max(warm.seconds, 1e-6);
    rates.set(name, rate);
    const wanted = plan.calibrate ? Math.round((rate * options.sampleMs) / 1000) : plan.initialCount;
    return Math.max(plan.minCount, Math.min(plan.maxCount, wanted));
  };
  for (const name of who) {
    let count = await calibrate(name, plan.initialCount);
    // A warm-up much shorter than a sample (cold code, a small first count) calibrates roughly: once more.
    if (count !== null && count > 2 * plan.initialCount) count = await calibrate(name, count);
    if (count !== null) counts.set(name, count);
  }
  for (let r = 0; r < options.repeats; r++) {
    const order = r % 2 === 0 ? who : [...who].reverse();
    for (const name of order) {
      const entry = out.get(name)!;
      if (entry.failed) continue;
      const result = await sample(name, counts.get(name)!);
      if (result) entry.samples.push(result);
    }
  }
  return out;
}
