/**
 * multiplex: one topic of a connection shared among many (rxjs
 * `webSocket().multiplex()` parity, the way an Angular service hands out one
 * socket's topics to its components). Applied to a WebSocket's shared event
 * stream (`ws.connect$().pipe(persist(), share())`), it gives an Observable
 * of the events of one topic: its first subscriber sends the topic's
 * `subscribe` message, again at every `ready` of a reconnection, and the last
 * one to leave sends `unsubscribe` while the connection is open; in between
 * every subscriber sees the events `filter` accepts.
 *
 * ```
 * events:     -a-b-r--t-T-t-------d-k-a-b-r--t---         (t: this topic, T: another)
 * subscribe:    ^ (sent at r)                   ^ (sent at r again, after the reconnect)
 * multiplex:  -------t---t-----------------------t--!     (unsubscribe sent at !, if still open)
 * ```
 */
import { Observable, share, type MonoTypeOperatorFunction, type OperatorFunction } from 'rxjs';
import { WebSocketUnavailableError } from '../core/errors.js';
import type { WebSocketEvent } from '../events/events.js';

/** Where {@link multiplex} sends its messages: a lomond `WebSocket` (either build) fits. */
export interface MultiplexSender {
  /** True while a connection is open and not closing. */
  readonly isActive: boolean;
  /** Sends a text message. */
  sendText(text: string): void;
  /** Sends a binary message. */
  sendBinary(data: Uint8Array): void;
}

/**
 * A message to send: a string goes as a text message and a Uint8Array as a binary one, as they are; any
 * other value goes as its JSON text (like `sendJson`); `undefined` sends nothing.
 */
export type MultiplexMessage = unknown;

/** The topic {@link multiplex} serves. */
export interface MultiplexOptions {
  /** The message that subscribes to the topic: sent when the first subscriber arrives, and at every later `ready`. */
  subscribe: () => MultiplexMessage;
  /** The message that ends the topic: sent when the last subscriber leaves, if the connection is open (default: none). */
  unsubscribe?: () => MultiplexMessage;
  /** Which events belong to the topic (a type guard narrows the result). */
  filter: (event: WebSocketEvent) => boolean;
}

/** Sends `message` (see {@link MultiplexMessage}); a connection that went away in between loses nothing we need. */
function send(ws: MultiplexSender, message: MultiplexMessage): void {
  if (message === undefined) return;
  let text: string | undefined;
  if (message instanceof Uint8Array) {
    text = undefined;
  } else if (typeof message === 'string') {
    text = message;
  } else {
    text = JSON.stringify(message);
    if (text === undefined) throw new TypeError(`multiplex message is not JSON-serialisable, got ${typeof message}`);
  }
  try {
    if (text === undefined) ws.sendBinary(message as Uint8Array);
    else ws.sendText(text);
  } catch (error) {
    // The connection started closing or ended since: the next `ready` subscribes again.
    if (!(error instanceof WebSocketUnavailableError)) throw error;
  }
}

function checkOptions(ws: MultiplexSender, options: MultiplexOptions): void {
  if (ws === null || typeof ws !== 'object' || typeof ws.sendText !== 'function' || typeof ws.sendBinary !== 'function') {
    throw new TypeError('multiplex needs a WebSocket to send through (sendText, sendBinary, isActive)');
  }
  if (options === null || typeof options !== 'object') throw new TypeError(`multiplex options must be an object, got ${options === null ? 'null' : typeof options}`);
  if (typeof options.subscribe !== 'function') throw new TypeError(`multiplex subscribe must be a function, got ${typeof options.subscribe}`);
  if (options.unsubscribe !== undefined && typeof options.unsubscribe !== 'function') {
    throw new TypeError(`multiplex unsubscribe must be a function, got ${typeof options.unsubscribe}`);
  }
  if (typeof options.filter !== 'function') throw new TypeError(`multiplex filter must be a function, got ${typeof options.filter}`);
}

/**
 * Serves one topic of a shared connection: subscribes to it on the server while anyone listens.
 *
 * Gist: `events$.pipe(multiplex(ws, { subscribe, unsubscribe, filter }))` per topic, all over one socket.
 *
 * The source should be the WebSocket's shared event stream (`ws.connect$().pipe(persist(), share())`), so
 * that every topic rides the same connection and `persist` reconnects it. The result is shared among its
 * own subscribers: the first one subscribes to the source and sends `subscribe()` (at once when `ws` is
 * already open, else at the next `ready`), every `ready` after that (a reconnection) sends it again, and
 * when the last one leaves, `unsubscribe()` is sent if the connection is open, and the source is left. A
 * send that finds the connection closing is dropped (the next `ready` subscribes again). Errors and
 * completion of the source pass through; an exception in `subscribe`, `unsubscribe` or `filter` errors the
 * stream.
 *
 * @example
 * ```ts
 * import { WebSocket, isText, json, multiplex, persist } from 'lomond';
 * import { share } from 'rxjs';
 *
 * const ws = new WebSocket('wss://feed.example.org/');
 * const events$ = ws.connect$().pipe(persist(), share());
 * const ticker$ = (symbol: string) =>
 *   events$.pipe(
 *     multiplex(ws, {
 *       subscribe: () => ({ op: 'subscribe', symbol }),
 *       unsubscribe: () => ({ op: 'unsubscribe', symbol }),
 *       filter: (e) => isText(e) && e.text.includes(`"symbol":"${symbol}"`),
 *     }),
 *     json<{ symbol: string; price: number }>(),
 *   );
 * ticker$('BTC').subscribe((t) => console.log(t.price));
 * // sends {"op":"subscribe","symbol":"BTC"} once ready (and after every reconnect); logs 64123.5, …
 * ```
 *
 * @param ws - the WebSocket the source's events come from, to send the messages through
 * @param options - the topic's `subscribe` / `unsubscribe` messages and its `filter`
 * @returns an operator whose result is shared by its subscribers
 * @throws TypeError for a missing sender or options that are not functions
 * @see https://rxjs.dev/api/webSocket/WebSocketSubject#multiplex
 */
export function multiplex<E extends WebSocketEvent>(
  ws: MultiplexSender,
  options: Omit<MultiplexOptions, 'filter'> & { filter: (event: WebSocketEvent) => event is E },
): OperatorFunction<WebSocketEvent, E>;
export function multiplex(ws: MultiplexSender, options: MultiplexOptions): MonoTypeOperatorFunction<WebSocketEvent>;
export function multiplex(ws: MultiplexSender, options: MultiplexOptions): MonoTypeOperatorFunction<WebSocketEvent> {
  checkOptions(ws, options);
  const { subscribe, unsubscribe, filter } = options;
  return (source) =>
    new Observable<WebSocketEvent>((subscriber) => {
      let readySeen = false;
      const subscription = source.subscribe({
        next: (event) => {
          try {
            if (event.name === 'ready') {
              readySeen = true;
              send(ws, subscribe());
            }
            if (!filter(event)) return;
          } catch (error) {
            subscriber.error(error);
            return;
          }
          subscriber.next(event);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      // Joining a connection that is already open (another topic opened it): its `ready` is past.
      if (!readySeen && !subscriber.closed && ws.isActive) {
        try {
          send(ws, subscribe());
        } catch (error) {
          subscriber.error(error);
        }
      }
      return () => {
        // Before leaving the source: if this was its last subscriber, its close frame follows our message.
        try {
          if (unsubscribe !== undefined && ws.isActive) send(ws, unsubscribe());
        } finally {
          subscription.unsubscribe();
        }
      };
    }).pipe(share());
}
