/**
 * How much to fuzz, from the environment, so that `npm test` runs a fixed,
 * fast slice and `npm run fuzz` a long one:
 *
 * - `FUZZ_RUNS`: virtual-driver cases (default 1000 in npm test, which runs jest once per Node major);
 * - `FUZZ_SOCKET_RUNS`: real-socket cases (default 100, or FUZZ_RUNS / 10 when FUZZ_RUNS is set);
 * - `FUZZ_SEED`: an integer, or `random` (printed, so that a failure can be replayed); default fixed;
 * - `FUZZ_PATH`: replay one case (fast-check's path, printed with a failure; with FUZZ_SEED);
 * - `FUZZ_TIME`: stop each driver after this many seconds, whatever FUZZ_RUNS says;
 * - `FUZZ_MODE`: `assert` (default: stop at the first unexplained failure and shrink it) or `survey` (run every
 *   case, collect the distinct failures with their seeds and paths, report them all at the end).
 */

/** The fixed seed of CI runs. */
export const CI_SEED = 20_240_611;

/** Settings of one driver's run. */
export interface FuzzSettings {
  readonly runs: number;
  readonly seed: number;
  readonly path: string | undefined;
  readonly timeLimitMs: number | undefined;
  readonly mode: 'assert' | 'survey';
  /** True unless the environment asked for more than the CI slice. */
  readonly ci: boolean;
}

function integer(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}

/** The settings for `driver`, read from the environment. */
export function fuzzSettings(driver: 'virtual' | 'socket'): FuzzSettings {
  const runsSet = process.env.FUZZ_RUNS !== undefined && process.env.FUZZ_RUNS !== '';
  const virtualRuns = integer('FUZZ_RUNS', 1000);
  const runs = driver === 'virtual' ? virtualRuns : integer('FUZZ_SOCKET_RUNS', runsSet ? Math.ceil(virtualRuns / 10) : 100);
  const rawSeed = process.env.FUZZ_SEED;
  const seed = rawSeed === 'random' ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : integer('FUZZ_SEED', CI_SEED);
  const time = integer('FUZZ_TIME', 0);
  const mode = process.env.FUZZ_MODE === 'survey' ? 'survey' : 'assert';
  if (process.env.FUZZ_MODE !== undefined && process.env.FUZZ_MODE !== '' && process.env.FUZZ_MODE !== mode) {
    throw new RangeError(`FUZZ_MODE must be assert or survey, got ${process.env.FUZZ_MODE}`);
  }
  return {
    runs,
    seed,
    path: process.env.FUZZ_PATH || undefined,
    timeLimitMs: time > 0 ? time * 1000 : undefined,
    mode,
    ci: !runsSet && rawSeed === undefined && time === 0,
  };
}
