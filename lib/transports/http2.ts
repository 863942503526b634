/**
 * The HTTP/2 path (`http2: true`): RFC 8441 WebSockets on streams of a
 * pooled HTTP/2 session, or HTTP/1.1 when the server does not allow them.
 *
 * Its parts: this entry; the session pool by origin (http2-session-pool.ts,
 * http2-origin-key.ts, http2-pooled-session.ts); dialing a session with ALPN
 * or h2c and the fallback decision (http2-dial.ts); a stream as a
 * TransportConnection (http2-stream.ts).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8441
 */
import { Observable, type Subscriber, type Unsubscribable } from 'rxjs';
import type { ClientHttp2Stream } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { buildExtendedConnect } from '../core/extended-connect.js';
import { netStream } from './net.js';
import { proxyStream } from './proxy.js';
import { redactProxy } from './proxy-env.js';
import { openSocket, pipeSocket, transportError } from './socket-stream.js';
import { tlsStream } from './tls.js';
import type { TransportEvent, TransportTarget } from './transport.js';
import type { PooledSession } from './http2-pooled-session.js';
import { sessionPool, type SessionPool, type Waiter } from './http2-session-pool.js';
import { StreamConnection, StreamPipe } from './http2-stream.js';

/**
 * Connects `target` over HTTP/2 when the server allows RFC 8441, else over HTTP/1.1; the stream of events is
 * the same either way (`open`, then `response` and `data` on HTTP/2, `data` only on HTTP/1.1).
 *
 * On HTTP/2: `open` once the extended CONNECT is sent on a stream of a session shared with every WebSocket to
 * the same origin and TLS options; `response` with `httpVersion: '2'`; the stream's bytes as `data`; completion
 * at the server's END_STREAM; an error for a reset stream or a failed session. Unsubscribing resets the stream
 * (RST_STREAM CANCEL) and leaves the session to the others.
 *
 * @param proxy - an `http://` proxy to tunnel through (CONNECT), or null
 * @param pool - the session pool (one per process unless a test passes its own)
 */
export function http2Stream(target: TransportTarget, proxy: string | null, pool: SessionPool = sessionPool): Observable<TransportEvent> {
  return new Observable<TransportEvent>((subscriber) => new Http2Attempt(subscriber, target, proxy, pool));
}

/** The HTTP/1.1 path for a server without RFC 8441: ALPN says http/1.1 so that an h2 server does not pick h2 again. */
function http1Stream(target: TransportTarget, proxy: string | null): Observable<TransportEvent> {
  const http1 = target.secure ? { ...target, tls: { ...target.tls, ALPNProtocols: ['http/1.1'] } } : target;
  if (proxy !== null) return proxyStream(http1, proxy);
  return target.secure ? tlsStream(http1) : netStream(http1);
}

/** One WebSocket's way to the server: waiting in the pool, then a stream, or an HTTP/1.1 connection. */
class Http2Attempt implements Waiter, Unsubscribable {
  private cancelWait: (() => void) | null = null;
  private pipe: StreamPipe | null = null;
  private http1: Unsubscribable | (() => void) | null = null;
  private done = false;

  constructor(
    private readonly subscriber: Subscriber<TransportEvent>,
    private readonly target: TransportTarget,
    private readonly proxy: string | null,
    pool: SessionPool,
  ) {
    const cancel = pool.acquire(target, proxy, this);
    if (!this.done) this.cancelWait = cancel;
  }

  onSession(session: PooledSession): void {
    this.done = true;
    this.cancelWait = null;
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(buildExtendedConnect(this.target.request, this.target.secure));
    } catch (error) {
      this.subscriber.error(transportError(error));
      return;
    }
    // The slot is held until the stream is closed, also when we reset it after unsubscribing.
    stream.once('close', () => session.release());
    this.pipe = new StreamPipe(this.subscriber, stream);
    this.subscriber.next({ type: 'open', connection: new StreamConnection(stream), proxy: this.shownProxy() });
  }

  onHttp1(socket: TLSSocket | null): void {
    this.done = true;
    this.cancelWait = null;
    if (socket === null) {
      const subscriber = this.subscriber;
      this.http1 = http1Stream(this.target, this.proxy).subscribe({
        next: (event) => subscriber.next(event),
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return;
    }
    // TLS chose HTTP/1.1: the upgrade goes out on this very socket, no second handshake.
    this.http1 = pipeSocket(this.subscriber, socket);
    openSocket(this.subscriber, socket, this.target.request.bytes, this.shownProxy());
  }

  onError(error: Error): void {
    this.done = true;
    this.cancelWait = null;
    this.subscriber.error(error);
  }

  private shownProxy(): string | null {
    return this.proxy === null ? null : redactProxy(this.proxy);
  }

  unsubscribe(): void {
    this.done = true;
    this.cancelWait?.();
    this.cancelWait = null;
    this.pipe?.unsubscribe();
    this.pipe = null;
    const http1 = this.http1;
    this.http1 = null;
    if (typeof http1 === 'function') http1();
    else http1?.unsubscribe();
  }
}
