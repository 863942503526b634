/**
 * PooledSession: one HTTP/2 session of the pool and the WebSocket streams it
 * carries. It counts them against the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS, stops taking new ones after a GOAWAY, and
 * closes itself a short while after its last stream ended.
 */
import type { ClientHttp2Session, ClientHttp2Stream, OutgoingHttpHeaders } from 'node:http2';
import { ignoreError } from './socket-stream.js';

/** How long an idle session stays open for the next WebSocket to the same origin (unref'd: no process is kept alive). */
export const IDLE_GRACE_MS = 2000;

/** What the pool hears from its sessions. */
export interface SessionOwner {
  /** The session takes no new streams any more (GOAWAY, closed, failed): forget it. */
  retire(session: PooledSession): void;
  /** A stream slot freed up, or the server raised its limit: waiting WebSockets may now fit. */
  wake(): void;
}

/** One HTTP/2 session in the pool. */
export class PooledSession {
  /** Streams reserved or open on it. */
  private streams = 0;
  /** False once it takes no new streams. */
  private open = true;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly session: ClientHttp2Session,
    private readonly owner: SessionOwner,
  ) {
    // A session fault also ends each of its streams with the error (they report it); here it only retires.
    session.on('error', ignoreError);
    // RFC 9113 §6.8: GOAWAY "allows an endpoint to gracefully stop accepting new streams while still finishing
    // processing of previously established streams"; with an error code Node ends the streams too.
    session.on('goaway', () => this.retire());
    session.on('close', () => this.retire());
    session.on('remoteSettings', () => owner.wake());
  }

  /** True while one more stream fits: open, and below the server's SETTINGS_MAX_CONCURRENT_STREAMS. */
  get available(): boolean {
    const session = this.session;
    if (!this.open || session.closed || session.destroyed) return false;
    // RFC 9113 §5.1.2: "An endpoint that attempts to open a stream that would exceed the peer's
    // SETTINGS_MAX_CONCURRENT_STREAMS ... MUST treat this as a stream error"; it is unlimited when not sent.
    const limit = session.remoteSettings.maxConcurrentStreams ?? Infinity;
    return this.streams < limit;
  }

  /** The number of streams reserved or open. */
  get size(): number {
    return this.streams;
  }

  /**
   * Opens a stream with `headers` (the extended CONNECT). Its slot is held until {@link release}.
   *
   * @throws what node:http2 throws (e.g. ERR_HTTP2_OUT_OF_STREAMS after 2³¹ streams: the session retires)
   */
  request(headers: OutgoingHttpHeaders): ClientHttp2Stream {
    let stream: ClientHttp2Stream;
    try {
      stream = this.session.request(headers, { endStream: false });
    } catch (error) {
      this.retire();
      throw error;
    }
    this.streams++;
    if (this.idleTimer !== null) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    if (this.streams === 1) this.session.ref();
    return stream;
  }

  /** A stream ended: its slot is free; the last one starts the idle grace. */
  release(): void {
    this.streams--;
    if (this.streams > 0) {
      this.owner.wake();
      return;
    }
    if (!this.open) {
      this.close();
      return;
    }
    // Idle: nothing of ours keeps the process alive while the session waits for the next WebSocket.
    this.session.unref();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.streams === 0) this.retire();
    }, IDLE_GRACE_MS);
    this.idleTimer.unref();
    this.owner.wake();
  }

  /** Takes no new streams; closes once the last one ended. */
  retire(): void {
    if (this.open) {
      this.open = false;
      this.owner.retire(this);
    }
    if (this.streams === 0) this.close();
  }

  private close(): void {
    if (this.idleTimer !== null) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    // RFC 9113 §6.8: "Endpoints SHOULD always send a GOAWAY frame before closing a connection"; Node's close() does.
    if (!this.session.closed && !this.session.destroyed) this.session.close();
  }
}
