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
];

/** Loads a contender in a client process (each loads only its own library); null for the raw socket or a missing runtime. */
export function loadContender(name: string): Contender | null {
  switch (name) {
    case LOMOND:
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
