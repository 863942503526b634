/**
 * Client-side helpers for the RFC 8441 tests: open a lomond WebSocket with
 * `http2: true`, wait for its events, and echo messages through it.
 */
import { firstValueFrom, filter, type Observable, type Subscription } from 'rxjs';
import { WebSocket, type ConnectOptions, type WebSocketEvent } from '../../lib/index.js';

/** A live WebSocket and everything it emitted. */
export interface Live {
  readonly ws: WebSocket;
  readonly events: WebSocketEvent[];
  readonly subscription: Subscription;
  /** Resolves with the first event (past or future) that `predicate` accepts. */
  next<T extends WebSocketEvent>(predicate: (event: WebSocketEvent) => event is T): Promise<T>;
  next(predicate: (event: WebSocketEvent) => boolean): Promise<WebSocketEvent>;
  /** Resolves when the connection's stream completed. */
  readonly done: Promise<void>;
}

/** Subscribes to a new WebSocket's `connect$` and records its events. */
export function open(url: string, options: ConnectOptions = {}, pipe?: (events: Observable<WebSocketEvent>) => Observable<WebSocketEvent>): Live {
  const { poll, pingRate, pingTimeout, closeTimeout, connectTimeout, scheduler, autoPong, ...wsOptions } = options;
  const ws = new WebSocket(url, { proxies: {}, ...wsOptions, http2: wsOptions.http2 ?? true });
  const events: WebSocketEvent[] = [];
  const listeners: Array<(event: WebSocketEvent) => void> = [];
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  // closeTimeout 1000 (as the ws-parity specs): a test server that never answers the close of an unsubscribed
  // WebSocket leaves no 30 s timer behind the test.
  let source = ws.connect$({ pingRate: pingRate ?? 0, poll: poll ?? 60_000, pingTimeout, closeTimeout: closeTimeout ?? 1000, connectTimeout, scheduler, autoPong });
  if (pipe !== undefined) source = pipe(source);
  const subscription = source.subscribe({
    next: (event) => {
      events.push(event);
      for (const listener of listeners.slice()) listener(event);
    },
    complete: finish,
    error: finish,
  });
  const next = (predicate: (event: WebSocketEvent) => boolean): Promise<WebSocketEvent> => {
    const seen = events.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const listener = (event: WebSocketEvent): void => {
        if (!predicate(event)) return;
        listeners.splice(listeners.indexOf(listener), 1);
        resolve(event);
      };
      listeners.push(listener);
    });
  };
  return { ws, events, subscription, next: next as Live['next'], done };
}

/** Resolves with the next message event after the call. */
export function nextMessage(live: Live): Promise<WebSocketEvent> {
  const start = live.events.length;
  return live.next((event) => (event.name === 'text' || event.name === 'binary') && live.events.indexOf(event) >= start);
}

/** The names of `live`'s events. */
export const names = (live: Live): string[] => live.events.map((event) => event.name);

/** The first event of `events$` that `predicate` accepts. */
export const first = <T extends WebSocketEvent>(events$: Observable<WebSocketEvent>, predicate: (event: WebSocketEvent) => event is T): Promise<T> =>
  firstValueFrom(events$.pipe(filter(predicate)));
