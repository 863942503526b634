/**
 * SessionPool: the HTTP/2 sessions of the process, by origin (see
 * originKey). A WebSocket asks for a stream slot; it gets one on a session
 * that has room, else waits for the one session being dialled for its
 * origin (so that 200 WebSockets opened at once share one connection), and a
 * full pool dials one more. A server that turns out to speak only HTTP/1.1
 * sends every waiter to the HTTP/1.1 path; one that speaks HTTP/2 without the
 * extended CONNECT is remembered for a while, so that later connections go
 * there directly instead of paying for a TLS handshake they cannot use.
 */
import type { TLSSocket } from 'node:tls';
import type { TransportTarget } from './transport.js';
import { dial, type DialOutcome } from './http2-dial.js';
import { originKey } from './http2-origin-key.js';
import { PooledSession, type SessionOwner } from './http2-pooled-session.js';

/** How long an origin found without the extended CONNECT goes straight to HTTP/1.1. */
export const HTTP1_MEMORY_MS = 5 * 60 * 1000;

/** A WebSocket waiting for its way to the server. Exactly one of the callbacks is called, once, unless cancelled. */
export interface Waiter {
  /** A slot on `session` is reserved for this WebSocket: open the stream now (synchronously). */
  onSession(session: PooledSession): void;
  /** Use HTTP/1.1: on `socket` (TLS chose http/1.1: no second handshake) or, when null, on a connection of its own. */
  onHttp1(socket: TLSSocket | null): void;
  /** Reaching the server failed (Node's error text). */
  onError(error: Error): void;
}

/** The sessions, waiters and dial of one origin. */
class Origin implements SessionOwner {
  readonly sessions: PooledSession[] = [];
  readonly waiters: Waiter[] = [];
  /** Cancels the dial in progress, if any. */
  private cancelDial: (() => void) | null = null;
  /** `Date.now()` until which this origin goes straight to HTTP/1.1. */
  http1Until = 0;

  constructor(
    private readonly pool: SessionPool,
    readonly key: string,
    private readonly target: TransportTarget,
    private readonly proxy: string | null,
  ) {}

  /** Hands out free slots in order, and dials when waiters are left and no dial is under way. */
  wake(): void {
    const waiters = this.waiters;
    while (waiters.length > 0) {
      const session = this.sessions.find((candidate) => candidate.available);
      if (session === undefined) break;
      waiters.shift()!.onSession(session);
    }
    if (waiters.length > 0 && this.cancelDial === null) this.startDial();
    this.pool.prune(this);
  }

  retire(session: PooledSession): void {
    const index = this.sessions.indexOf(session);
    if (index >= 0) this.sessions.splice(index, 1);
    this.wake();
  }

  cancel(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index < 0) return;
    this.waiters.splice(index, 1);
    // Nobody is left to use what the dial would bring: stop it (a black-holed TCP connect would linger for minutes).
    if (this.waiters.length === 0 && this.cancelDial !== null) {
      this.cancelDial();
      this.cancelDial = null;
    }
    this.pool.prune(this);
  }

  /** True when the origin holds nothing: the pool may forget it (unless it remembers an HTTP/1.1 server). */
  get empty(): boolean {
    return this.sessions.length === 0 && this.waiters.length === 0 && this.cancelDial === null && this.http1Until <= Date.now();
  }

  private startDial(): void {
    // Set before dialing: a dial may fail synchronously.
    this.cancelDial = () => undefined;
    const cancel = dial(this.target, this.proxy, (outcome) => this.dialed(outcome));
    if (this.cancelDial !== null) this.cancelDial = cancel;
  }

  private dialed(outcome: DialOutcome | Error): void {
    this.cancelDial = null;
    const waiting = this.waiters.splice(0);
    if (outcome instanceof Error) {
      for (const waiter of waiting) waiter.onError(outcome);
    } else if (outcome.kind === 'h2') {
      this.sessions.push(new PooledSession(outcome.session, this));
      this.waiters.push(...waiting);
    } else if (outcome.kind === 'http1-socket') {
      // The first waiter takes the TLS socket that chose HTTP/1.1; the others open connections of their own.
      const first = waiting.shift();
      if (first === undefined) outcome.socket.destroy();
      else first.onHttp1(outcome.socket);
      for (const waiter of waiting) waiter.onHttp1(null);
    } else {
      this.http1Until = Date.now() + HTTP1_MEMORY_MS;
      for (const waiter of waiting) waiter.onHttp1(null);
    }
    this.wake();
  }
}

/** The process's HTTP/2 sessions, by origin. */
export class SessionPool {
  private readonly origins = new Map<string, Origin>();

  /**
   * Finds `waiter` a way to `target`: a stream slot on a session (now or once one is dialled), HTTP/1.1, or an
   * error. Callbacks may come synchronously.
   *
   * @param proxy - the proxy URL to tunnel through, or null
   * @returns cancels the wait (no callback after it); a slot already handed out is the caller's to release
   */
  acquire(target: TransportTarget, proxy: string | null, waiter: Waiter): () => void {
    const key = originKey(target, proxy);
    let origin = this.origins.get(key);
    if (origin === undefined) {
      origin = new Origin(this, key, target, proxy);
      this.origins.set(key, origin);
    }
    if (origin.http1Until > Date.now()) {
      waiter.onHttp1(null);
      this.prune(origin);
      return () => undefined;
    }
    origin.waiters.push(waiter);
    origin.wake();
    const owner = origin;
    return () => owner.cancel(waiter);
  }

  /** Forgets an origin that holds nothing. */
  prune(origin: Origin): void {
    if (origin.empty && this.origins.get(origin.key) === origin) this.origins.delete(origin.key);
  }

  /** The number of open sessions (for tests and the bench). */
  get sessionCount(): number {
    let count = 0;
    for (const origin of this.origins.values()) count += origin.sessions.length;
    return count;
  }
}

/** The pool every `http2: true` connection of this process uses. */
export const sessionPool = new SessionPool();
