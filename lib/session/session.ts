/**
 * The session layer: wires one connection per subscription — its
 * {@link Connection}, its transport and the pipeline's stages (handshake,
 * which then frames → inflate → keepalive → heartbeat → unresponsive → connectTimeout →
 * {@link SessionSink}, which bounds the close handshake too) — and validates and resolves the
 * options (options.ts, browser-options.ts); the browser's equivalent over the
 * native WebSocket is native-session.ts; single-live.ts holds the "one live
 * connection per WebSocket object" rule.
 *
 * session$ itself: the first `@end` signal, the transport's completion (EOF)
 * or its error decides the last event (`disconnected` or `connect_fail`).
 * Unsubscribing from a live connection closes it (1001) in the background.
 *
 * May import: pipeline/, connection/, compression/, transports/, scheduling/,
 * events/, core/. Never operators/ or the façade.
 */
import { Observable, type Subscriber, type Unsubscribable } from 'rxjs';
import { buildDeflateOffer } from '../core/deflate-params.js';
import type { RequestOptions } from '../core/handshake.js';
import { parseWebSocketUrl, redactUrl, type WebSocketTarget } from '../core/url.js';
import { markAppClose } from '../events/app-close.js';
import { events, type ConnectFail, type Disconnected, type WebSocketEvent } from '../events/events.js';
import { CloseHandshake } from '../pipeline/close-handshake.js';
import { connectTimeout } from '../pipeline/connect-timeout.js';
import { handshake, type HandshakeStage, type Redirector } from '../pipeline/handshake.js';
import { inflate } from '../pipeline/inflate.js';
import { heartbeat } from '../pipeline/heartbeat.js';
import { keepalive } from '../pipeline/keepalive.js';
import { unresponsive } from '../pipeline/unresponsive.js';
import { nodeTransport, transportSource } from '../transports/node.js';
import { Connection, sharedLimits, type SessionEnd } from '../connection/connection.js';
import { compressionSettings } from './compress-options.js';
import { Hops, type Hop } from './hops.js';
import { DEFAULTS, DEFAULT_MAX_REDIRECTS, type ResolvedSessionOptions, type WebSocketOptions } from './options.js';
import { USER_AGENT } from './user-agent.js';
import { STAGE_BIT, Stage, chain } from '../pipeline/stage.js';
import type { Signals } from '../connection/signals.js';

/** Hooks through which a {@link WebSocket} object follows its sessions. */
export interface SessionHooks {
  /** Called at subscription with the new connection. */
  onConnection?(conn: Connection): void;
  /** Called when the connection opened, before its `ready` event is delivered. */
  onOpen?(conn: Connection): void;
  /**
   * Called once when the session stops counting as live: before its last event is delivered, or when the
   * subscriber unsubscribes (the connection may then still be closing in the background).
   */
  onRelease?(): void;
}

/** {@link SessionSink}'s flags, in the stage's `bits`: the subscriber unsubscribed… */
const DETACHED = STAGE_BIT;
/** …the last event was decided… */
const FINISHED = STAGE_BIT * 2;
/** …`onRelease` was called. */
const RELEASED = STAGE_BIT * 4;

/** The hooks of a session without a WebSocket object (connect$): one object for all of them. */
const NO_HOOKS: SessionHooks = Object.freeze({});

/** The pipeline's last stage: delivers public events to the subscriber and decides the session's end. */
class SessionSink extends Stage<Signals, WebSocketEvent> implements SessionEnd, Unsubscribable {
  /** The WebSocket object's hooks (`onOpen`; `onRelease`, once). */
  private readonly hooks: SessionHooks;
  /** The close handshake's timer, from the first batch after the close started (see close-handshake.ts). */
  private closing: CloseHandshake | null = null;

  /** False once the subscriber unsubscribed (the connection may still be closing in the background). */
  get attached(): boolean {
    return (this.bits & DETACHED) === 0;
  }

  /** True once the last event was decided. */
  private get finished(): boolean {
    return (this.bits & FINISHED) !== 0;
  }

  /** True once `onRelease` was called. */
  private get released(): boolean {
    return (this.bits & RELEASED) !== 0;
  }

  /** The pipeline outlives the subscriber while it closes in the background: unsubscribing only detaches. */
  constructor(
    subscriber: Subscriber<WebSocketEvent>,
    private readonly conn: Connection,
    hooks: SessionHooks,
  ) {
    super(subscriber);
    this.hooks = hooks;
  }

  private release(): void {
    if (this.released) return;
    this.bits |= RELEASED;
    this.hooks.onRelease?.();
  }

  override next(batch: Signals): void {
    // O(1) per batch: the connection flags the close; `@close-sent` batches wake this up.
    if (this.conn.closeStarted) (this.closing ??= new CloseHandshake(this.conn, this)).passed();
    for (let i = 0; i < batch.length; i++) {
      const signal = batch[i]!;
      switch (signal.name) {
        case '@run':
          signal.run();
          break;
        case '@end':
          this.finish(signal.final);
          return;
        case '@close-sent':
          // Our close frame may have just left (written by a `@run` before it, or after waiting in the outbox).
          this.closing?.passed();
          break;
        case '@data':
        case '@compressed':
        case '@connect-timeout':
          break;
        case 'closed':
          // Only once our close frame is out too; else the connection holds it until then.
          if (this.conn.closedNow(signal) && this.attached) this.out.next(signal);
          break;
        case 'ready':
          this.hooks.onOpen?.(this.conn);
          if (this.attached && !this.finished) this.out.next(signal);
          break;
        default:
          if (this.attached) this.out.next(signal);
      }
      if (this.finished) return;
    }
  }

  override error(error: unknown): void {
    this.finish(this.ending(error));
  }

  override complete(): void {
    this.finish(this.ending());
  }

  protected override stop(): void {
    this.closing?.stop();
  }

  /** Ends the session from outside the pipeline (an internal error): see {@link Connection.internalError}. */
  abort(final: Disconnected | ConnectFail): void {
    this.finish(final);
  }

  /** Emits the last event, completes and tears the pipeline (and so the transport) down. */
  private finish(final: Disconnected | ConnectFail): void {
    if (this.finished) return;
    this.bits |= FINISHED;
    const conn = this.conn;
    conn.phase = 'ended';
    try {
      try {
        // From the head: every stage, this one last but the transport's (see Stage.tearDown).
        if (conn.input !== null) conn.input.tearDown();
        else this.tearDown();
      } finally {
        conn.dispose();
      }
    } catch {
      // A teardown that fails (a zlib stream that cannot be destroyed…) must not keep the last event back.
    }
    this.release();
    if (this.attached) {
      // The application's own close() (unsubscribing only detaches): persist stops here instead of reconnecting.
      if (this.conn.closeRequested) markAppClose(final);
      this.out.next(final);
      this.out.complete();
    }
  }

  /** The last event when the transport ended (EOF) or failed. */
  private ending(error?: unknown): Disconnected | ConnectFail {
    const conn = this.conn;
    const now = conn.now();
    const cause = error === undefined ? null : error instanceof Error ? error.message : String(error);
    if (conn.phase === 'connecting' || conn.phase === 'handshake') {
      return events.connectFail(cause ?? 'connection closed during handshake', now);
    }
    // SPEC: after a completed close handshake (both close frames exchanged) the end is graceful, however TCP
    // then ends (a FIN, or an RST as the Autobahn fuzzingserver sends after every case).
    // Both close frames: ours counts once it left the outbox (an echo still waiting behind compressed messages
    // when TCP ends was never sent).
    if (conn.closeExchanged) return events.disconnected('closed', true, now);
    return events.disconnected(cause ?? 'connection closed by server', false, now);
  }

  /** What the subscriber's unsubscribe reaches (the sink is the subscription's teardown): {@link detach}. */
  unsubscribe(): void {
    this.detach();
  }

  /**
   * The subscriber unsubscribed: an open connection closes in the background (1001), bounded by
   * closeTimeout (with closeTimeout 0 the close frame still goes out, and the session ends without waiting).
   */
  detach(): void {
    this.bits |= DETACHED;
    this.release();
    if (this.finished) return;
    this.closing?.detached();
    const conn = this.conn;
    if (conn.phase === 'open') {
      if (conn.isActive) conn.close(1001, 'going away');
      if (conn.closeRequested || conn.closeStarted) return;
    }
    this.finish(events.disconnected('unsubscribed', false, conn.now()));
  }
}

/**
 * Opens one connection per subscription.
 *
 * @param url - ws:, wss:, ws+unix: or wss+unix: URL
 * @param wsOptions - validated WebSocketOptions
 * @param options - resolved SessionOptions
 * @param hooks - lets the WebSocket object track the live connection
 */
export function session$(
  url: string,
  wsOptions: WebSocketOptions,
  options: ResolvedSessionOptions,
  hooks: SessionHooks = NO_HOOKS,
  headers: RequestOptions['headers'] = wsOptions.headers,
): Observable<WebSocketEvent> {
  const target = parseWebSocketUrl(url);
  const shown = redactUrl(url);
  return new Observable<WebSocketEvent>((subscriber) => openSession(subscriber, shown, target, wsOptions, headers, options, hooks));
}

/**
 * One subscription's connection. A top-level function, so that nothing of its scope outlives the handshake.
 *
 * @param url - the URL as shown in events (credentials redacted)
 */
function openSession(
  subscriber: Subscriber<WebSocketEvent>,
  url: string,
  target: WebSocketTarget,
  wsOptions: WebSocketOptions,
  headers: RequestOptions['headers'],
  options: ResolvedSessionOptions,
  hooks: SessionHooks,
): Unsubscribable {
  const compression = compressionSettings(wsOptions.compress);
  const compress = compression !== null;
  const limits = {
    maxPayload: wsOptions.maxPayload ?? DEFAULTS.maxPayload,
    maxMessageSize: wsOptions.maxMessageSize ?? DEFAULTS.maxMessageSize,
    compress,
    deflateTuning: compression?.tuning,
  };
  const conn = new Connection(options, sharedLimits(limits, DEFAULTS));
  hooks.onConnection?.(conn);

  subscriber.next(events.connecting(url, conn.now()));

  const protocols = wsOptions.protocols ?? [];
  const hops = new Hops(target, {
    wsOptions,
    headers,
    userAgent: wsOptions.userAgent ?? USER_AGENT,
    extensions: compression === null ? undefined : buildDeflateOffer(compression.offer),
    maxRedirects: wsOptions.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
  });
  let first: Hop;
  try {
    first = hops.start(url);
  } catch (error) {
    // Invalid custom headers: the subscriber gets the error, and the session never was live.
    hooks.onRelease?.();
    throw error;
  }
  const transport = wsOptions.transport ?? nodeTransport;
  // Each redirect opens a transport of its own, within this session (and its connectTimeout).
  const redirect: Redirector | undefined =
    wsOptions.followRedirects === true
      ? (response) => {
          const hop = hops.follow(response);
          return typeof hop === 'string' ? hop : { events$: transportSource(transport, hop.target), accept: hop.accept, url: hop.url };
        }
      : undefined;

  const sink = new SessionSink(subscriber, conn, hooks);
  conn.end = sink;
  // The head frames what follows the handshake itself (no framing stage of its own).
  const head = chain(sink, handshake(conn, { url, accept: first.accept, protocols, compress, deflate: compression?.offer, redirect }), [
    inflate(conn),
    keepalive(conn),
    heartbeat(conn, wsOptions.heartbeat),
    unresponsive(conn, options.pingTimeout),
    connectTimeout(conn, options.connectTimeout),
  ]) as HandshakeStage;
  // Out-of-band batches (close sent, forced end) enter at the head too, in order with the transport's events.
  conn.input = head;
  head.start(transportSource(transport, first.target));
  // The sink is its own teardown (`unsubscribe` detaches it): no extra object per connection.
  return sink;
}
