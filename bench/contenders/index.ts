/**
 * The contenders, each run in a client process of its own (bench/client-pool.ts) with the environment
 * that sets it up: plain ws runs with WS_NO_BUFFER_UTIL=1, so that it masks in JavaScript, while the
 * ws+bu set-ups load the bufferutil addon. rxjs webSocket() runs over the plain ws client.
 */
import type { Contender } from './contender.js';

/** How a contender's client process is started. */
export interface ContenderSpec {
  readonly name: string;
  readonly env: Readonly<Record<string, string>>;
}

export const LOMOND = 'lomond';
export const WS = 'ws';
export const WS_BU = 'ws+bu';
export const WS_BU_CORK = 'ws+bu+cork';
export const NATIVE = 'node-native';
export const RXJS = 'rxjs-webSocket';
export const RAW = 'raw socket';
/**
 * Another build of lomond beside the current one, for A/B runs: `BENCH_BASELINE=/path/to/dist/cjs` (e.g. of a
 * `git worktree` at an older commit, built there) adds it to every row. Absent: no such contender.
 */
export const BASELINE = 'lomond-baseline';
const baselineDist = process.env.BENCH_BASELINE;
/** The ws set-ups, for the "lomond / best ws" ratio. */
export const WS_VARIANTS = [WS, WS_BU, WS_BU_CORK];

export const SPECS: readonly ContenderSpec[] = [
  { name: LOMOND, env: {} },
  { name: WS, env: { WS_NO_BUFFER_UTIL: '1' } },
  { name: WS_BU, env: {} },
  { name: WS_BU_CORK, env: {} },
  { name: NATIVE, env: {} },
  { name: RXJS, env: { WS_NO_BUFFER_UTIL: '1' } },
  { name: RAW, env: {} },
  ...(baselineDist ? [{ name: BASELINE, env: { LOMOND_DIST: baselineDist } }] : []),
];

/** The lomond builds under test: the current one, and the baseline when there is one. */
export const LOMONDS = baselineDist ? [LOMOND, BASELINE] : [LOMOND];

/** Loads a contender in a client process (each loads only its own library); null for the raw socket or a missing runtime. */
export function loadContender(name: string): Contender | null {
  switch (name) {
    case LOMOND:
    case BASELINE:
      return (require('./lomond.js') as typeof import('./lomond.js')).lomond;
    case WS:
    case WS_BU:
      return (require('./ws.js') as typeof import('./ws.js')).wsContender(name, false);
    case WS_BU_CORK:
      return (require('./ws.js') as typeof import('./ws.js')).wsContender(name, true);
    case NATIVE:
      return (require('./native.js') as typeof import('./native.js')).native;
    case RXJS:
      return (require('./rxjs.js') as typeof import('./rxjs.js')).rxjsWebSocket;
    default:
      return null;
  }
}
