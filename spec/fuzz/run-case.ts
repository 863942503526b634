/**
 * Runs one fuzz case against the real client, with either driver: subscribes
 * to `ws.connect$()` with the case's options, plays the application (echo,
 * close at ready, close once the server's script is over), waits for the
 * stream to complete (or gives up past a hard limit), then waits for the
 * connection's sockets and timers to go away, and returns everything the
 * oracle judges.
 */
import { performance } from 'node:perf_hooks';
import type { Subscription } from 'rxjs';
import { WebSocketUnavailableError } from '../../lib/core/errors.js';
import type { WebSocketEvent } from '../../lib/events/events.js';
import type { Transport } from '../../lib/transports/transport.js';
import { WebSocket } from '../../lib/websocket.js';
import { activeResources, describe, extraResources, type ProcessGuard } from './process-guard.js';
import { connectTimeoutOf, type DriverProfile, type Scenario } from './scenario.js';
import type { ServerLog } from './script-player.js';

/** One case set up by a driver. */
export interface PreparedCase {
  readonly url: string;
  /** The in-memory transport (virtual driver), or undefined for real sockets. */
  readonly transport?: Transport;
  readonly log: ServerLog;
  /** Server-side connections of the case still open. */
  openConnections(): number;
  /** Connections the client opened for the case. */
  connections(): number;
  dispose(): void;
}

/** A way to play cases to the client. */
export interface Driver {
  readonly profile: DriverProfile;
  prepare(scenario: Scenario, onScriptEnd: () => void): PreparedCase;
}

/** Everything a case produced. */
export interface CaseRun {
  readonly scenario: Scenario;
  readonly profile: DriverProfile;
  readonly connectTimeout: number;
  readonly events: WebSocketEvent[];
  /** The stream completed. */
  completed: boolean;
  /** The stream's error, if any. */
  error: string | null;
  /** The harness gave up waiting (the case then ends with forceDisconnect and unsubscribe). */
  hung: boolean;
  /** Errors of the client's API that SPEC does not allow here (send/close may throw only WebSocketUnavailableError). */
  readonly appErrors: string[];
  /** Uncaught exceptions and unhandled rejections during the case. */
  uncaught: string[];
  readonly startAt: number;
  completedAt: number | null;
  readonly log: ServerLog;
  /** A server-side connection was still open a second after completion. */
  connectionLeft: boolean;
  /** Active resources (sockets, timers) above the run's baseline after completion. */
  resourcesLeft: string[];
  connections: number;
}

/** Resolves after one turn of the event loop. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Waits (turn by turn, no timers) until `done()` or `ms` elapsed; returns `done()`. */
async function waitFor(done: () => boolean, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  while (!done() && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 1));
  return done();
}

/** The latest a case may complete: closeTimeout after the script stopped (or connectTimeout after the start), + 1 s. */
export function deadlineOf(run: CaseRun): number {
  const stoppedAt = run.log.scriptEndAt ?? run.startAt;
  return Math.max(run.startAt + run.connectTimeout, stoppedAt + run.profile.closeTimeout) + 1000;
}

/** Runs `scenario` with `driver`; `baseline` are the active resources between cases. */
export async function runCase(scenario: Scenario, driver: Driver, guard: ProcessGuard, baseline: Map<string, number>): Promise<CaseRun> {
  const stray = guard.take().map((error) => `before this case started (from the previous one?): ${error}`);
  const profile = driver.profile;
  let ws: WebSocket | null = null;
  let run: CaseRun | null = null;
  const app = (action: (ws: WebSocket) => void): void => {
    if (ws === null || run === null || run.completedAt !== null) return;
    try {
      action(ws);
    } catch (error) {
      if (!(error instanceof WebSocketUnavailableError)) run.appErrors.push(describe(error));
    }
  };
  // Once the server's script is over, the application closes: every case then ends within closeTimeout.
  const prepared = driver.prepare(scenario, () => setImmediate(() => app((socket) => socket.close(1000, 'fuzz done'))));
  run = {
    scenario,
    profile,
    connectTimeout: connectTimeoutOf(scenario, profile),
    events: [],
    completed: false,
    error: null,
    hung: false,
    appErrors: [],
    uncaught: stray,
    startAt: performance.now(),
    completedAt: null,
    log: prepared.log,
    connectionLeft: false,
    resourcesLeft: [],
    connections: 0,
  };
  const current = run;
  const { client } = scenario;
  ws = new WebSocket(prepared.url, {
    compress: client.compress,
    protocols: [...client.protocols],
    maxPayload: client.maxPayload,
    maxMessageSize: client.maxMessageSize,
    transport: prepared.transport,
    proxies: {},
  });
  let subscription: Subscription | null = null;
  const done = new Promise<void>((resolve) => {
    const finish = (): void => {
      current.completedAt = performance.now();
      resolve();
    };
    subscription = ws!.connect$({ closeTimeout: profile.closeTimeout, connectTimeout: current.connectTimeout, pingRate: client.pingRate, pingTimeout: client.pingTimeout, poll: 600_000 }).subscribe({
      next: (event) => {
        current.events.push(event);
        if (event.name === 'ready' && client.closeAtReady) app((socket) => socket.close(1000, 'fuzz'));
        if (client.echo && event.name === 'text') app((socket) => socket.sendText(event.text));
        if (client.echo && event.name === 'binary') app((socket) => socket.sendBinary(event.data));
      },
      error: (error: unknown) => {
        current.error = describe(error);
        finish();
      },
      complete: () => {
        current.completed = true;
        finish();
      },
    });
  });
  // The hard limit moves with the script: a long script (bytes one at a time) is not a hang. A crash ends the wait.
  const hardLimit = (): number => Math.max(deadlineOf(current), (current.log.scriptEndAt ?? performance.now()) + profile.closeTimeout + 1000) + 2000;
  let crashed = false;
  guard.onError = () => (crashed = true);
  let limitTimer: NodeJS.Timeout | null = null;
  const limit = new Promise<void>((resolve) => {
    const check = (): void => {
      if (current.completedAt !== null || crashed || performance.now() > hardLimit()) resolve();
      else limitTimer = setTimeout(check, 50);
    };
    check();
  });
  await Promise.race([done, limit]);
  if (limitTimer !== null) clearTimeout(limitTimer);
  guard.onError = null;
  if (current.completedAt === null) {
    current.hung = !crashed;
    ws.forceDisconnect();
    await waitFor(() => current.completedAt !== null, 200);
    (subscription as Subscription | null)?.unsubscribe();
  }
  current.connections = prepared.connections();
  current.connectionLeft = !(await waitFor(() => prepared.openConnections() === 0, 1000));
  let left: string[] = [];
  await waitFor(() => {
    left = extraResources(baseline, activeResources()).filter((name) => !name.startsWith('Immediate'));
    return left.length === 0;
  }, 300);
  current.resourcesLeft = left;
  current.uncaught.push(...guard.take());
  prepared.dispose();
  return current;
}
