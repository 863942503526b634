/**
 * The fuzz property, shared by both drivers: for every generated case, run
 * it, judge it, and either pass, excuse it through KNOWN_DEFECTS, or fail
 * with a printable counterexample (fast-check then shrinks it). In survey
 * mode every case runs and the distinct failures are collected instead.
 * The run also watches the process: its error handlers for the whole run,
 * the active resources between cases, and the heap across the run.
 */
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import type { FuzzSettings } from './config.js';
import { KNOWN_DEFECTS, unexplained } from './known-defects.js';
import { judge } from './oracle.js';
import { activeResources, extraResources, heapAfterGc, ProcessGuard } from './process-guard.js';
import { describeRun } from './report.js';
import { runCase, tick, type Driver } from './run-case.js';
import { scenario } from './scenario.js';

/** A failure kept by survey mode. */
export interface SurveyedFailure {
  /** fast-check's path of the case (replay with FUZZ_SEED and FUZZ_PATH). */
  readonly path: string;
  /** The rules broken, with numbers blanked out: failures with the same signature are one finding. */
  readonly signature: string;
  readonly report: string;
}

/** What a run did. */
export interface FuzzStats {
  readonly driver: string;
  readonly seed: number;
  cases: number;
  /** Cases with no violation at all (the others were excused by KNOWN_DEFECTS, or failed). */
  clean: number;
  /** Cases whose timing-only failure (stall, late, hang) did not happen again when run a second time. */
  timingRetries: number;
  readonly excused: Record<string, number>;
  readonly skipped: Record<string, number>;
  readonly failures: SurveyedFailure[];
  /** heapUsed after a full GC, once warmed up and at the end, bytes. */
  heapBefore: number;
  heapAfter: number;
  /** Active resources after the run beyond those before it. */
  resourcesLeft: string[];
  ms: number;
  /** The assert-mode failure report (with seed and path), or null. */
  failure: string | null;
}

/** Rules that a loaded machine alone can break (see the retry in {@link fuzz}). */
const TIMING = new Set(['stall', 'late', 'hang']);

const signatureOf = (rules: ReadonlyArray<{ rule: string; detail: string }>): string =>
  [...new Set(rules.map((v) => `${v.rule}: ${v.detail.split('\n')[0]!.replace(/\d+/g, 'N').slice(0, 90)}`))].sort().join(' | ');

/** Runs the property with `driver` as `settings` say. */
export async function fuzz(driver: Driver, settings: FuzzSettings): Promise<FuzzStats> {
  const stats: FuzzStats = {
    driver: driver.profile.name,
    seed: settings.seed,
    cases: 0,
    clean: 0,
    timingRetries: 0,
    excused: {},
    skipped: {},
    failures: [],
    heapBefore: 0,
    heapAfter: 0,
    resourcesLeft: [],
    ms: 0,
    failure: null,
  };
  const guard = new ProcessGuard();
  const started = performance.now();
  await tick();
  const baseline = activeResources();
  const warmUp = Math.min(200, Math.floor(settings.runs / 5));
  guard.install();
  try {
    const property = fc.asyncProperty(scenario, async (s) => {
      if (stats.cases++ === warmUp) stats.heapBefore = heapAfterGc();
      const skipper = KNOWN_DEFECTS.find((defect) => defect.skip?.(s) === true);
      if (skipper !== undefined) {
        stats.skipped[skipper.id] = (stats.skipped[skipper.id] ?? 0) + 1;
        return true;
      }
      let run = await runCase(s, driver, guard, baseline);
      let violations = judge(run);
      if (violations.length > 0 && violations.every((v) => TIMING.has(v.rule))) {
        // A loaded machine can pause the process for a second (GC, scheduling): a timing-only failure counts once it
        // happens again. A freeze caused by the client (a backtracking regex) happens every time.
        run = await runCase(s, driver, guard, baseline);
        violations = judge(run);
        if (violations.length === 0) stats.timingRetries++;
      }
      if (violations.length === 0) {
        stats.clean++;
        return true;
      }
      const { rest, by } = unexplained(run, violations);
      for (const id of by) stats.excused[id] = (stats.excused[id] ?? 0) + 1;
      if (rest.length === 0) return true;
      const report = describeRun(run, rest);
      if (settings.mode === 'survey') {
        stats.failures.push({ path: String(stats.cases - 1), signature: signatureOf(rest), report });
        return true;
      }
      throw new Error(report);
    });
    const details = await fc.check(property, {
      seed: settings.seed,
      numRuns: settings.runs,
      path: settings.path,
      interruptAfterTimeLimit: settings.timeLimitMs,
      markInterruptAsFailure: false,
    });
    if (details.failed) {
      stats.failure = [
        `replay: FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''} npx jest spec/fuzz/${driver.profile.name}.spec.ts`,
        fc.defaultReportMessage(details) ?? '',
      ].join('\n');
    }
  } finally {
    guard.uninstall();
  }
  stats.heapAfter = heapAfterGc();
  await tick();
  stats.resourcesLeft = extraResources(baseline, activeResources()).filter((name) => !name.startsWith('Immediate'));
  stats.ms = performance.now() - started;
  return stats;
}

/** One line for the log. */
export function summarize(stats: FuzzStats): string {
  const counts = (record: Record<string, number>): string => Object.entries(record).map(([id, n]) => `${id}: ${n}`).join(', ') || 'none';
  const distinct = new Set(stats.failures.map((f) => f.signature)).size;
  return (
    `fuzz ${stats.driver}: ${stats.cases} cases in ${(stats.ms / 1000).toFixed(1)} s (seed ${stats.seed}): ${stats.clean} clean (${stats.timingRetries} after a timing-only retry); ` +
    `cases with violations excused by known defects: ${counts(stats.excused)}; skipped: ${counts(stats.skipped)}; ` +
    `${stats.failures.length} surveyed failures (${distinct} distinct); heap ${((stats.heapAfter - stats.heapBefore) / 1048576).toFixed(2)} MiB across the run`
  );
}
