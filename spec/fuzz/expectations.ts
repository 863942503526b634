/**
 * What a whole fuzz run must show, shared by the two driver specs: no
 * unexplained failure (with its counterexample as the message), no handle
 * or timer left behind, and a flat heap.
 */
import type { FuzzSettings } from './config.js';
import type { FuzzStats } from './property.js';

/**
 * Heap growth allowed across a run, after a full GC. Generous: it catches a leak of a connection's state per case
 * (a few KiB × thousands of cases), not allocator noise.
 */
export const HEAP_BOUND = 8 * 1024 * 1024;

/** A jest timeout for a run of `settings` whose cases take about `msPerCase`. */
export const runTimeout = (settings: FuzzSettings, msPerCase: number): number =>
  settings.timeLimitMs !== undefined ? settings.timeLimitMs + 120_000 : 120_000 + settings.runs * msPerCase;

/** Fails with the counterexample, the survey, leaked resources or heap growth. */
export function expectHealthyRun(stats: FuzzStats): void {
  if (stats.failure !== null) throw new Error(stats.failure);
  if (stats.failures.length > 0) {
    const distinct = new Map<string, { count: number; first: (typeof stats.failures)[number] }>();
    for (const failure of stats.failures) {
      const entry = distinct.get(failure.signature);
      if (entry === undefined) distinct.set(failure.signature, { count: 1, first: failure });
      else entry.count++;
    }
    const lines = [...distinct.values()].map(({ count, first }) => `${count}× (first at FUZZ_SEED=${stats.seed} FUZZ_PATH=${first.path}): ${first.signature}\n${first.report}`);
    throw new Error(`${stats.failures.length} failing cases, ${distinct.size} distinct:\n\n${lines.join('\n\n')}`);
  }
  expect(stats.resourcesLeft).toEqual([]);
  if (stats.heapBefore > 0) expect(stats.heapAfter - stats.heapBefore).toBeLessThan(HEAP_BOUND);
}
