/**
 * Runs one fuzz case against the real client, with either driver: subscribes
 * to `ws.connect$()` with the case's options, plays the application (echo,
 * close at ready, close once the server's script is over), waits for the
 * stream to complete (or gives up past a hard limit), then waits for the
 * connection's sockets and timers to go away, and returns everything the
 * oracle judges.
 */
import { performance } from 'node:perf_hooks';
import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';
import { zlibLimiter } from '../../lib/compression/zlib-limiter.js';
import { WebSocketUnavailableError } from '../../lib/core/errors.js';
import type { WebSocketEvent } from '../../lib/events/events.js';
import type { Transport } from '../../lib/transports/transport.js';
import { WebSocket } from '../../lib/websocket.js';
import { activeResources, describeError, extraResources, type ProcessGuard } from './process-guard.js';
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
  /** When the application unsubscribed or called forceDisconnect() (its `act`), or null. */
  actedAt: number | null;
  /** How many events had been delivered when it did (the event it acted on included). */
  eventsAtAct: number;
  /** The application's "bye" from its `closing` handler was accepted (see ClientConfig.byeOnClosing). */
  byeSent: boolean;
  /** Data messages the client accepted from the application (echoes, the "bye"). */
  accepted: number;
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

/**
 * A scheduler on real timers whose clock moves 1 ms at every read (see ClientConfig.tickingClock). Built on the
 * public SchedulerLike contract: an action is a Subscription that can schedule itself again.
 */
function tickingScheduler(): SchedulerLike {
  let clock = Date.now();
  const schedule = <T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription => {
    let timer: NodeJS.Timeout | null = null;
    const action = Object.assign(new Subscription(() => timer !== null && clearTimeout(timer)), {
      schedule(next?: T, nextDelay = 0): Subscription {
        if (timer !== null) clearTimeout(timer);
        timer = setTimeout(run, nextDelay, next);
        return action;
      },
    });
    function run(value?: T): void {
      timer = null;
      if (!action.closed) work.call(action, value);
    }
    return action.schedule(state, delay);
  };
  return { now: () => ++clock, schedule } as SchedulerLike;
}

/** What the application sends from its `closing` handler. */
export const BYE = 'bye';

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
  /** Runs an action of the application; true when the client accepted it. */
  const app = (action: (ws: WebSocket) => void): boolean => {
    if (ws === null || run === null || run.completedAt !== null || (run.actedAt !== null && scenario.client.act?.kind === 'unsubscribe')) return false;
    try {
      action(ws);
      return true;
    } catch (error) {
      if (!(error instanceof WebSocketUnavailableError)) run.appErrors.push(describeError(error));
      return false;
    }
  };
  // Once the server's script is over, the application closes: every case then ends within closeTimeout.
  let appClosed = false;
  const prepared = driver.prepare(scenario, () =>
    setImmediate(() =>
      app((socket) => {
        appClosed = true;
        socket.close(1000, 'fuzz done');
      }),
    ),
  );
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
    actedAt: null,
    eventsAtAct: 0,
    byeSent: false,
    accepted: 0,
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
  let sinceReady = -1;
  const done = new Promise<void>((resolve) => {
    const finish = (): void => {
      current.completedAt = performance.now();
      resolve();
    };
    const act = (kind: 'close' | 'unsubscribe' | 'force'): void => {
      if (kind === 'close') {
        app((socket) => {
          appClosed = true;
          socket.close(1000, 'fuzz');
        });
        return;
      }
      current.actedAt = performance.now();
      current.eventsAtAct = current.events.length;
      if (kind === 'force') {
        app((socket) => socket.forceDisconnect());
        return;
      }
      // Unsubscribing ends the stream for the application: the connection closes (1001) in the background.
      setImmediate(() => {
        (subscription as Subscription | null)?.unsubscribe();
        resolve();
      });
    };
    const session = { closeTimeout: profile.closeTimeout, connectTimeout: current.connectTimeout, pingRate: client.pingRate, pingTimeout: client.pingTimeout, poll: 600_000 };
    subscription = ws!.connect$(client.tickingClock === true ? { ...session, scheduler: tickingScheduler() } : session).subscribe({
      next: (event) => {
        current.events.push(event);
        if (event.name === 'ready') sinceReady = 0;
        else if (sinceReady >= 0) sinceReady++;
        if (client.act !== null && sinceReady === client.act.after && current.actedAt === null) act(client.act.kind);
        if (client.echo && event.name === 'text' && app((socket) => socket.sendText(event.text))) current.accepted++;
        if (client.echo && event.name === 'binary' && app((socket) => socket.sendBinary(event.data))) current.accepted++;
        if (client.byeOnClosing === true && event.name === 'closing') {
          // SPEC: "the app may still send inside the handler": here, no unavailable error is allowed either.
          try {
            ws!.sendText(BYE, { compress: false });
            current.byeSent = true;
            current.accepted++;
          } catch (error) {
            // Unless the application itself closed first (its close crossed the server's in the same chunk).
            if (!appClosed || !(error instanceof WebSocketUnavailableError)) current.appErrors.push(`sendText in the closing handler: ${describeError(error)}`);
          }
        }
      },
      error: (error: unknown) => {
        current.error = describeError(error);
        finish();
      },
      complete: () => {
        current.completed = true;
        finish();
      },
    });
  });
  // The hard limit moves with the script: a long script (bytes one at a time) is not a hang. A crash ends the wait.
  const lastActivity = (): number => current.log.scriptEndAt ?? current.log.lastStepAt ?? current.startAt;
  const hardLimit = (): number => Math.max(deadlineOf(current), lastActivity() + profile.closeTimeout + 1000) + 2000;
  let crashed = false;
  guard.onError = () => (crashed = true);
  const unsubscribed = (): boolean => subscription !== null && (subscription as Subscription).closed && current.completedAt === null;
  let limitTimer: NodeJS.Timeout | null = null;
  const limit = new Promise<void>((resolve) => {
    const check = (): void => {
      if (current.completedAt !== null || crashed || unsubscribed() || performance.now() > hardLimit()) resolve();
      else limitTimer = setTimeout(check, 50);
    };
    check();
  });
  await Promise.race([done, limit]);
  if (limitTimer !== null) clearTimeout(limitTimer);
  guard.onError = null;
  const left = unsubscribed();
  if (current.completedAt === null && !left) {
    current.hung = !crashed;
    ws.forceDisconnect();
    await waitFor(() => current.completedAt !== null, 200);
    (subscription as Subscription | null)?.unsubscribe();
  }
  current.connections = prepared.connections();
  // SPEC: after unsubscribing, the background close "tears the socket down within closeTimeout at most".
  current.connectionLeft = !(await waitFor(() => prepared.openConnections() === 0, left ? profile.closeTimeout + 1000 : 1000));
  let resources: string[] = [];
  await waitFor(() => {
    resources = extraResources(baseline, activeResources()).filter((name) => !name.startsWith('Immediate'));
    // The process-wide zlib limiter is a resource too: a slot held after the connection ended is lost for all.
    if (zlibLimiter.running > 0) resources.push(`zlib limiter slot×${zlibLimiter.running}`);
    if (zlibLimiter.pending > 0) resources.push(`zlib limiter waiting job×${zlibLimiter.pending}`);
    return resources.length === 0;
  }, 300);
  current.resourcesLeft = resources;
  current.uncaught.push(...guard.take());
  prepared.dispose();
  return current;
}
