/**
 * handshake: the opening handshake as a stage (RFC 6455 §4.1). Turns the
 * transport's events into `connected`, then reads the HTTP response and emits
 * `ready` or `rejected` (after the first 4 KiB of a refusal's body, see
 * rejection.ts); bytes after a 101 head are frames, which the stage parses
 * itself: it extends the framing stage (frame.ts), so that an open connection
 * holds one object for both and a chunk takes no hop between them. With
 * `followRedirects` a redirect answer swaps the transport for the next hop's
 * instead.
 *
 * ```
 * transport: -o--d(101, text frame)--d(pong)--|
 * handshake: -c--(r,text)-----------pong-----|
 * ```
 */
import { HandshakeError } from '../core/errors.js';
import { copyBytes } from '../core/bytes.js';
import { checkExtendedConnectResponse } from '../core/extended-connect.js';
import { checkResponse } from '../core/handshake.js';
import { HttpResponseReader } from '../core/http-response-reader.js';
import { negotiateDeflate, type DeflateOptions, type DeflateParams } from '../core/deflate-params.js';
import { isRedirectStatus } from '../core/redirect.js';
import { Response } from '../core/response.js';
import { events } from '../events/events.js';
import type { Connection } from '../connection/connection.js';
import { CONNECT_TIMEOUT, endWith, type Signals } from '../connection/signals.js';
import type { Unsubscribable } from 'rxjs';
import type { TransportEvent, TransportSource } from '../transports/transport.js';
import { Rejection } from './rejection.js';
import { FrameStage } from './frame.js';
import type { Downstream, StageFactory } from './stage.js';

/** The next upgrade request after a redirect: its transport's events, and what its answer must carry. */
export interface RedirectHop {
  /** The new transport's events (subscribed by the stage, in place of the old one's). */
  readonly events$: TransportSource;
  /** The Sec-WebSocket-Accept value of the new request. */
  readonly accept: string;
  /** The new hop's URL as `connected` shows it (credentials redacted). */
  readonly url: string;
}

/** Follows a redirect answer: the next hop, or the reason it is refused (the attempt is then `rejected`). */
export type Redirector = (response: Response) => RedirectHop | string;

/** What the handshake stage needs to check the server's answer. */
export interface HandshakeExpectations {
  /** The URL `connected` shows (credentials redacted). */
  readonly url: string;
  /** The Sec-WebSocket-Accept value the server must send back. */
  readonly accept: string;
  /** Subprotocols offered. */
  readonly protocols: readonly string[];
  /** True when permessage-deflate was offered. */
  readonly compress: boolean;
  /** What the permessage-deflate offer asked and promised (the answer is checked against it). */
  readonly deflate?: DeflateOptions;
  /** Set with `followRedirects`: a 301/302/303/307/308 answer goes to it instead of being `rejected`. */
  readonly redirect?: Redirector;
}

type HandshakeInput = TransportEvent | Signals;

/** What the stage needs until the handshake is over (one object, dropped then: an open connection keeps none of it). */
interface Handshaking {
  /** Reads the response head; null once it is in. */
  reader: HttpResponseReader | null;
  /** What the response must match. */
  expected: HandshakeExpectations;
  /** The URL `connected` shows: the user's, then each redirect's. */
  url: string;
  /** A refused answer whose body is still arriving; `rejected` goes out when it is in (see {@link Rejection}). */
  rejection: Rejection | null;
}

/** The pipeline's head: see {@link handshake}. What follows the handshake it frames as its base class does. */
export class HandshakeStage extends FrameStage {
  /** The handshake's state; null once it is over (or failed). */
  private handshaking: Handshaking | null;
  /** The subscription to the transport's events. */
  private transport: Unsubscribable | null = null;

  constructor(out: Downstream<Signals>, conn: Connection, expected: HandshakeExpectations) {
    super(out, conn);
    this.handshaking = { reader: new HttpResponseReader(), expected, url: expected.url, rejection: null };
  }

  /**
   * The head of the pipeline: everything that enters a session (the transport's events, control batches
   * from the WebSocket object) passes here, so this is where an unexpected exception anywhere downstream is
   * contained: it ends this connection alone (`internal error: …`), never the process.
   */
  override next(input: HandshakeInput): void {
    if (this.ended) return;
    try {
      this.handle(input);
    } catch (error) {
      this.conn.internalError(error);
    }
  }

  /**
   * A chunk from a transport that hands chunks over without a `data` event (the built-in sockets): once the
   * handshake is over it is parsed at once (see FrameStage.data).
   */
  override data(chunk: Uint8Array, transient: boolean): void {
    if (this.ended) return;
    try {
      if (this.handshaking === null) super.data(chunk, transient);
      else this.handle(transient ? { type: 'data', chunk, transient: true } : { type: 'data', chunk });
    } catch (error) {
      this.conn.internalError(error);
    }
  }

  override error(error: unknown): void {
    if (this.ended) return;
    try {
      // The server's refusal stands even when its connection then fails: the body so far comes with it.
      const rejection = this.handshaking?.rejection ?? null;
      if (rejection !== null) super.next(rejection.end(this.conn.now()));
      else this.out.error(error);
    } catch (thrown) {
      this.conn.internalError(thrown);
    }
  }

  override complete(): void {
    if (this.ended) return;
    try {
      // RFC 9112 §6.3 item 8: a body without a declared length ends when the server closes the connection.
      const rejection = this.handshaking?.rejection ?? null;
      if (rejection !== null) super.next(rejection.end(this.conn.now()));
      else this.out.complete();
    } catch (thrown) {
      this.conn.internalError(thrown);
    }
  }

  /** Subscribes to the transport's events (the chain's only RxJS subscription besides the subscriber's). */
  start(source: TransportSource): void {
    const subscription = typeof source === 'function' ? source(this) : source.subscribe(this);
    // A transport may fail (and the session end) while subscribing.
    if (this.ended) subscription.unsubscribe();
    else this.transport = subscription;
  }

  /** The session ended: the transport is destroyed. */
  protected override stop(): void {
    const transport = this.transport;
    this.transport = null;
    transport?.unsubscribe();
  }

  private handle(input: HandshakeInput): void {
    const state = this.handshaking;
    const rejection = state?.rejection ?? null;
    if (Array.isArray(input)) {
      // connectTimeout expired while the refusal's body was arriving: `rejected` with what came.
      if (rejection !== null && input.includes(CONNECT_TIMEOUT)) super.next(rejection.end(this.conn.now()));
      else super.next(input);
      return;
    }
    const conn = this.conn;
    switch (input.type) {
      case 'data': {
        const reader = state?.reader ?? null;
        if (rejection === null && (reader === null || conn.phase !== 'handshake')) {
          // Frames, parsed within this call: a transient chunk may stay transient.
          super.data(input.chunk, input.transient === true);
          return;
        }
        // The response head and a refusal's body are kept across chunks: a transient chunk is copied.
        const chunk = input.transient === true ? copyBytes(input.chunk) : input.chunk;
        if (rejection !== null) {
          if (rejection.push(chunk)) super.next(rejection.end(conn.now()));
          return;
        }
        let head: ReturnType<HttpResponseReader['push']>;
        try {
          head = reader!.push(chunk);
        } catch (error) {
          if (!(error instanceof HandshakeError)) throw error;
          this.handshaking = null;
          super.next([endWith(events.connectFail(error.message, conn.now()))]);
          return;
        }
        if (head === null) return;
        const out = this.accept(head.response, head.rest);
        if (out.length > 0) super.next(out);
        return;
      }
      case 'open':
        conn.attach(input.connection);
        // Each hop of a redirect is a connection of its own, reported with its own URL.
        super.next([events.connected(state?.url ?? '', input.proxy, conn.now())]);
        return;
      case 'drain':
        conn.drained();
        return;
      case 'response': {
        const { statusCode, status, rawHeaders, httpVersion } = input.head;
        const out = this.accept(new Response(statusCode, status, rawHeaders, httpVersion), null);
        if (out.length > 0) super.next(out);
        return;
      }
    }
  }

  /**
   * A redirect to follow: the old transport is torn down and the next hop's subscribed, within the same
   * session (and so the same connectTimeout). Returns the rejection reason when the redirect is refused.
   */
  private follow(response: Response, redirect: Redirector): string | null {
    const hop = redirect(response);
    if (typeof hop === 'string') return hop;
    const old = this.transport;
    this.transport = null;
    old?.unsubscribe();
    const conn = this.conn;
    conn.transport = null;
    conn.phase = 'connecting';
    const state = this.handshaking!;
    state.reader = new HttpResponseReader();
    state.expected = { ...state.expected, accept: hop.accept };
    state.url = hop.url;
    this.start(hop.events$);
    return null;
  }

  private accept(response: Response, rest: Uint8Array | null): Signals {
    const conn = this.conn;
    const state = this.handshaking!;
    const expected = state.expected;
    const redirect = expected.redirect;
    let refused: string | null = null;
    if (redirect !== undefined && isRedirectStatus(response.statusCode)) {
      refused = this.follow(response, redirect);
      if (refused === null) return [];
    }
    this.handshaking = null;
    const now = conn.now();
    let protocol: string | null;
    let extensions: Set<string>;
    let deflate: DeflateParams | null = null;
    try {
      // Only a transport that ran RFC 8441's extended CONNECT reports HTTP/2 (an HTTP/1 status line never parses as '2').
      const accepted =
        response.httpVersion === '2'
          ? checkExtendedConnectResponse(response, { protocols: expected.protocols, extensionsOffered: expected.compress })
          : checkResponse(response, { accept: expected.accept, protocols: expected.protocols, extensionsOffered: expected.compress });
      protocol = accepted.protocol;
      extensions = new Set<string>();
      if (accepted.extensions !== null) {
        deflate = negotiateDeflate(accepted.extensions, expected.deflate);
        extensions.add('permessage-deflate');
      }
    } catch (error) {
      if (!(error instanceof HandshakeError)) throw error;
      conn.phase = 'ended';
      // Without `rest` the answer came from Node's http parser (the http.Agent path): what follows is the body itself.
      const rejection = new Rejection(response, refused ?? error.message, rest === null);
      if (rest !== null) rejection.push(rest);
      if (rejection.complete) return rejection.end(now);
      // The body is still arriving: `rejected` waits for it (or for the end of the connection, or connectTimeout).
      state.reader = null;
      this.handshaking = state;
      state.rejection = rejection;
      return [];
    }
    // Frames flow from here on: through this stage's protocol handler (FrameStage), with the negotiated extension.
    conn.open(this, deflate);
    const out: Signals = [events.ready(response, protocol, extensions, now)];
    if (rest !== null && rest.length > 0) out.push({ name: '@data', chunk: rest });
    return out;
  }
}

/**
 * Stage, the pipeline's head: transport events (plus control batches, passed through) → signal batches, the
 * frames after the handshake parsed into events (see frame.ts).
 *
 * @param conn - the connection whose state the handshake advances
 * @param expected - what the response must match
 */
export function handshake(conn: Connection, expected: HandshakeExpectations): StageFactory<HandshakeInput> {
  return (out) => new HandshakeStage(out, conn, expected);
}
