/**
 * nativeSession$: one browser connection's event stream over the native
 * `globalThis.WebSocket`, with the same events and lifecycles as the Node
 * session as far as the DOM API lets us see them:
 *
 * - `connecting` at subscription; `connected`, `ready` and the first `poll`
 *   together at the DOM `open` event (the DOM reports no separate TCP step and
 *   no response headers: `ready.response` is a synthetic 101 carrying only the
 *   negotiated protocol and extensions);
 * - `text` for string messages, `binary` (a `Uint8Array`) for the others
 *   (`binaryType` is `'arraybuffer'`); never `ping`, `pong` or `unknown`
 *   (the browser handles control frames itself);
 * - `connect_fail` when the socket closed before it opened, including a refused
 *   handshake: the DOM does not tell a rejected upgrade from a network error,
 *   so there is no `rejected` event (and no `Retry-After`);
 * - from the DOM `close` event: after our `close()`, `closed` then
 *   `disconnected(graceful = wasClean)`; when the server started it,
 *   `closing`, `closed`, `disconnected(graceful=true)` all at once (the app
 *   cannot send between them: the browser echoes the close itself); an unclean
 *   close gives `disconnected(graceful=false)`.
 *
 * - with the `heartbeat` option, `unresponsive` then `disconnected(graceful=false)`
 *   when a heartbeat gets no reply in time (connection/heartbeat.ts, shared
 *   with the Node build): the one way a browser notices a dead connection.
 *
 * All timers (`poll`, `closeTimeout`, `connectTimeout`, heartbeats) run on the scheduler.
 * Unsubscribing from an open connection closes it with 1000 `going away`
 * (the DOM forbids scripts to send 1001) and leaves the rest to the browser.
 */
import { Observable, Subscription, timer } from 'rxjs';
import { Response } from '../core/response.js';
import { parseWebSocketUrl, redactUrl, type WebSocketTarget } from '../core/url.js';
import { markAppClose } from '../events/app-close.js';
import { events, type ConnectFail, type Disconnected, type WebSocketEvent } from '../events/events.js';
import { Heartbeat, heartbeatFailure, type Periodic } from '../connection/heartbeat.js';
import { NativeConnection, type NativeWebSocket, type NativeWebSocketConstructor } from '../connection/native-connection.js';
import type { ResolvedBrowserSessionOptions, WebSocketOptions } from './browser-options.js';
import { DEFAULTS } from './shared-options.js';

/** Hooks through which a browser {@link WebSocket} object follows its sessions. */
export interface NativeSessionHooks {
  /** Called at subscription with the new connection. */
  onConnection?(conn: NativeConnection): void;
  /** Called when the connection opened, before its `ready` event is delivered. */
  onOpen?(conn: NativeConnection): void;
  /** Called once when the session stops counting as live: before its last event is delivered, or at unsubscribe. */
  onRelease?(): void;
}

const encoder = new TextEncoder();

/** The heartbeat's periodic timer in browsers: RxJS's own `timer` (already in the bundle for `poll`). */
const periodic: Periodic = (scheduler, period, fire, target) => timer(period, period, scheduler).subscribe(() => fire(target));

/** The native constructor, looked up at subscription so that it can be replaced (tests, polyfills). */
function nativeConstructor(): NativeWebSocketConstructor | undefined {
  const candidate = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof candidate === 'function' ? (candidate as NativeWebSocketConstructor) : undefined;
}

/** `ready.response`: the DOM exposes no headers, so only what the socket reports. */
function syntheticResponse(socket: NativeWebSocket): Response {
  const headers: Array<[string, string]> = [];
  if (socket.protocol) headers.push(['Sec-WebSocket-Protocol', socket.protocol]);
  if (socket.extensions) headers.push(['Sec-WebSocket-Extensions', socket.extensions]);
  return new Response(101, 'Switching Protocols', headers);
}

/** Extension names from `socket.extensions` ("permessage-deflate; client_max_window_bits" → permessage-deflate). */
function extensionNames(extensions: string): Set<string> {
  const names = extensions.split(',').map((item) => item.split(';')[0]!.trim());
  return new Set(names.filter((name) => name.length > 0));
}

/** UTF-8 size of a text message, without encoding it when it cannot exceed `limit`. */
function textSize(text: string, limit: number): number {
  return text.length * 3 <= limit ? text.length : encoder.encode(text).length;
}

/**
 * Parses a URL for the browser build: a Unix domain socket (`ws+unix:`, `wss+unix:`) is no URL a browser can open.
 *
 * @throws TypeError for an invalid URL, and for a Unix socket URL
 */
export function parseBrowserUrl(url: string): WebSocketTarget {
  const target = parseWebSocketUrl(url);
  if (target.socketPath !== undefined) throw new TypeError(`unix socket urls are not available in browsers, got ${target.url.protocol}`);
  return target;
}

/**
 * Opens one native connection per subscription.
 *
 * @param url - ws: or wss: URL (http: and https: are mapped to them)
 * @param wsOptions - validated browser WebSocketOptions
 * @param options - resolved browser SessionOptions
 * @param hooks - lets the WebSocket object track the live connection
 * @throws TypeError for an invalid URL (at call time)
 */
export function nativeSession$(
  url: string,
  wsOptions: WebSocketOptions,
  options: ResolvedBrowserSessionOptions,
  hooks: NativeSessionHooks = {},
): Observable<WebSocketEvent> {
  const target = parseBrowserUrl(url);
  const shown = redactUrl(url);
  const maxMessageSize = wsOptions.maxMessageSize ?? DEFAULTS.maxMessageSize;
  return new Observable<WebSocketEvent>((subscriber) => {
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      hooks.onRelease?.();
    };
    const Native = nativeConstructor();
    if (Native === undefined) {
      release();
      subscriber.error(new TypeError('globalThis.WebSocket is not available'));
      return;
    }
    const scheduler = options.scheduler;
    const timers = new Subscription();
    let attached = true;
    let ended = false;
    let socket: NativeWebSocket | null = null;

    const emit = (event: WebSocketEvent): void => {
      if (attached && !ended) subscriber.next(event);
    };
    const detach = (): void => {
      if (socket === null) return;
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
    };
    const finish = (final: Disconnected | ConnectFail): void => {
      if (ended) return;
      ended = true;
      conn.phase = 'ended';
      detach();
      timers.unsubscribe();
      release();
      if (attached) {
        // The application's own close(): persist stops here instead of reconnecting.
        if (conn.closeRequested) markAppClose(final);
        subscriber.next(final);
        subscriber.complete();
      }
    };

    let heartbeat: Heartbeat | null = null;
    const conn = new NativeConnection(shown, scheduler, {
      // closeTimeout 0: do not wait for the close event (the browser finishes the handshake in the background).
      closeStarted: () => {
        timers.add(scheduler.schedule(() => finish(events.disconnected('close timeout', false, conn.now())), options.closeTimeout));
      },
      forceEnd: (reason) => {
        socket?.close();
        finish(events.disconnected(reason, false, conn.now()));
      },
    });
    hooks.onConnection?.(conn);
    emit(events.connecting(shown, conn.now()));

    try {
      socket = new Native(target.url.href, wsOptions.protocols ?? []);
    } catch (error) {
      finish(events.connectFail(error instanceof Error ? error.message : String(error), conn.now()));
      return;
    }
    const ws = socket;
    conn.socket = ws;
    ws.binaryType = 'arraybuffer';
    const connectTimer = scheduler.schedule(() => {
      ws.close();
      finish(events.connectFail(`connect timeout after ${options.connectTimeout} ms`, conn.now()));
    }, options.connectTimeout);
    timers.add(connectTimer);

    ws.onopen = () => {
      connectTimer.unsubscribe();
      conn.phase = 'open';
      const now = conn.now();
      emit(events.connected(shown, null, now));
      hooks.onOpen?.(conn);
      emit(events.ready(syntheticResponse(ws), ws.protocol || null, extensionNames(ws.extensions), now));
      emit(events.poll(now));
      if (ended) return;
      timers.add(timer(options.poll, options.poll, scheduler).subscribe(() => emit(events.poll(conn.now()))));
      if (wsOptions.heartbeat !== undefined) {
        const beats = (heartbeat = new Heartbeat(scheduler, wsOptions.heartbeat, {
          get isActive() {
            return conn.isActive;
          },
          readPaused: false,
          readResumedAt: 0,
          sendHeartbeat: (message) => ws.send(message),
          heartbeatTimedOut: () => {
            emit(events.unresponsive(conn.now()));
            ws.close();
            finish(events.disconnected('unresponsive', false, conn.now()));
          },
          heartbeatFailed: (error) => {
            ws.close();
            finish(events.disconnected(heartbeatFailure(error), false, conn.now()));
          },
        }, periodic));
        timers.add(() => beats.stop());
        beats.start();
      }
    };

    ws.onmessage = ({ data }) => {
      if (conn.failure !== null) return;
      const now = conn.now();
      const message = typeof data === 'string' ? events.text(data, now) : data instanceof ArrayBuffer ? events.binary(new Uint8Array(data), now) : null;
      if (message === null) return; // a Blob: impossible with binaryType 'arraybuffer'
      const size = message.name === 'text' ? textSize(message.text, maxMessageSize) : message.data.length;
      if (size > maxMessageSize) {
        const error = `message of ${size} bytes exceeds ${maxMessageSize}`;
        emit(events.protocolError(error, false, now));
        conn.fail(error);
        return;
      }
      emit(message);
      if (heartbeat !== null && heartbeat.waiting && !ended) heartbeat.received(message);
    };

    ws.onclose = ({ code, reason, wasClean }) => {
      const now = conn.now();
      if (conn.phase === 'connecting') {
        finish(events.connectFail(reason || `websocket connection failed (code ${code})`, now));
      } else if (conn.failure !== null) {
        finish(events.disconnected(conn.failure, false, now));
      } else if (!wasClean) {
        finish(events.disconnected(reason || `connection closed abnormally (code ${code})`, false, now));
      } else {
        if (!conn.closeSent) emit(events.closing(code, reason, now));
        emit(events.closed(code, reason, now));
        finish(events.disconnected('closed', true, now));
      }
    };

    return () => {
      attached = false;
      release();
      if (ended) return;
      ended = true;
      timers.unsubscribe();
      detach();
      // The DOM forbids 1001 from scripts; "going away" says why. A socket still connecting is abandoned.
      if (conn.phase === 'open' && !conn.closeSent) ws.close(1000, 'going away');
      else if (conn.phase === 'connecting') ws.close();
      conn.phase = 'ended';
    };
  });
}
