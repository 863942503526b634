/**
 * dial: opens the connection an HTTP/2 session runs on and finds out what the
 * server speaks. `wss:` offers ALPN `h2, http/1.1` on one TLS socket; `ws:`
 * starts h2c with prior knowledge (RFC 9113 §3.3). Either may go through an
 * HTTP CONNECT tunnel first, or run over a Unix socket (`ws+unix:`,
 * `wss+unix:`), with the socket options (lookup, family, localAddress). The outcome is an HTTP/2 session whose server
 * allows the extended CONNECT, or the reason to use HTTP/1.1 instead.
 */
import { connect as http2Connect, type ClientHttp2Session, type Settings } from 'node:http2';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { authority } from '../core/url.js';
import { netOptions } from './net.js';
import { ignoreError, transportError } from './socket-stream.js';
import { tlsOptions } from './tls.js';
import type { TransportTarget } from './transport.js';
import { openTunnel } from './tunnel.js';

/**
 * Each stream may hold this many received bytes the application has not read (`pause()`, inflate
 * backpressure); the server must wait for a WINDOW_UPDATE beyond it (RFC 9113 §6.9.2). Like
 * RECEIVE_HIGH_WATER_MARK on HTTP/1.1.
 */
export const STREAM_WINDOW = 1024 * 1024;
/** All streams of a session together hold at most this many unread bytes: the session's memory bound. */
export const SESSION_WINDOW = 16 * 1024 * 1024;
/** Response header lists are capped like the HTTP/1.1 response head (16 KiB). */
export const MAX_HEADER_LIST_SIZE = 16 * 1024;

/** What we tell the server in our SETTINGS frame. */
const LOCAL_SETTINGS: Settings = {
  // RFC 9113 §6.5.2 SETTINGS_ENABLE_PUSH: "A value of 0 indicates that server push is not permitted."
  enablePush: false,
  initialWindowSize: STREAM_WINDOW,
  maxHeaderListSize: MAX_HEADER_LIST_SIZE,
};

/** How a dial ended. */
export type DialOutcome =
  /** An HTTP/2 session whose server sent SETTINGS_ENABLE_CONNECT_PROTOCOL = 1. */
  | { readonly kind: 'h2'; readonly session: ClientHttp2Session }
  /** TLS chose HTTP/1.1 (or no ALPN): the socket, ready for the HTTP/1.1 upgrade (no second handshake). */
  | { readonly kind: 'http1-socket'; readonly socket: TLSSocket }
  /** The server speaks HTTP/2 without the extended CONNECT, or not h2c at all: use a new HTTP/1.1 connection. */
  | { readonly kind: 'http1'; readonly reason: string };

/** Reports the outcome, or the error that ended the dial (Node's text, e.g. "connect ECONNREFUSED 127.0.0.1:1"). */
export type DialCallback = (outcome: DialOutcome | Error) => void;

/**
 * Dials `target` (through `proxy` when given) for an HTTP/2 session.
 *
 * @returns cancels the dial: destroys whatever was opened, and `done` is not called
 */
export function dial(target: TransportTarget, proxy: string | null, done: DialCallback): () => void {
  const dialing = new Dialing(target, done);
  if (proxy === null) {
    try {
      dialing.onSocket(target.secure ? tlsConnect(alpnOptions(target)) : netConnect(netOptions(target)));
    } catch (error) {
      dialing.finish(transportError(error));
    }
  } else {
    dialing.cancelTunnel = openTunnel(target.host, target.port, proxy, {
      onTunnel: (raw) => {
        dialing.tunnel = raw;
        dialing.onSocket(target.secure ? tlsConnect(alpnOptions(target, raw)) : raw, true);
      },
      onError: (error) => dialing.finish(error),
    });
  }
  return () => dialing.cancel();
}

/** TLS options offering h2 first (RFC 9113 §3.2: "The "h2" string identifies HTTP/2 when used over TLS"). */
function alpnOptions(target: TransportTarget, socket?: Socket): ReturnType<typeof tlsOptions> {
  return { ...tlsOptions(target, socket), ALPNProtocols: ['h2', 'http/1.1'] };
}

/** One dial in progress. */
class Dialing {
  private done: DialCallback | null;
  private socket: Socket | null = null;
  private session: ClientHttp2Session | null = null;
  /** The proxy tunnel under TLS, if any (its faults surface there). */
  tunnel: Socket | null = null;
  cancelTunnel: (() => void) | null = null;

  constructor(
    private readonly target: TransportTarget,
    done: DialCallback,
  ) {
    this.done = done;
  }

  /** The byte stream exists (maybe still connecting). */
  onSocket(socket: Socket, connected = false): void {
    if (this.done === null) {
      socket.on('error', ignoreError);
      socket.destroy();
      return;
    }
    this.socket = socket;
    socket.on('error', this.onSocketError);
    this.tunnel?.on('error', this.onSocketError);
    if (this.target.secure) socket.once('secureConnect', () => this.onSecure(socket as TLSSocket));
    else if (connected) this.startSession(socket);
    else socket.once('connect', () => this.startSession(socket));
  }

  private readonly onSocketError = (error: Error): void => this.finish(transportError(error));

  private onSecure(socket: TLSSocket): void {
    if (this.done === null) return;
    // RFC 7301 §3.2: the server "selects" one of the offered protocols, or none; none means HTTP/1.1 (RFC 9113 §3.2).
    if (socket.alpnProtocol !== 'h2') {
      this.release();
      this.finish({ kind: 'http1-socket', socket });
      return;
    }
    this.startSession(socket);
  }

  private startSession(socket: Socket): void {
    if (this.done === null) return;
    const origin = `${this.target.secure ? 'https' : 'http'}://${authority(this.target.host, this.target.port)}`;
    let session: ClientHttp2Session;
    try {
      session = http2Connect(origin, { createConnection: () => socket, settings: LOCAL_SETTINGS });
    } catch (error) {
      this.finish(transportError(error));
      return;
    }
    this.session = session;
    // The socket is the session's now: its faults reach us as the session's.
    socket.off('error', this.onSocketError);
    session.on('error', this.onSessionError);
    session.once('close', this.onSessionClose);
    session.once('connect', () => session.setLocalWindowSize(SESSION_WINDOW));
    session.once('remoteSettings', (settings) => {
      if (this.done === null) return;
      this.detachSession(session);
      // RFC 8441 §3: "Upon receipt of SETTINGS_ENABLE_CONNECT_PROTOCOL with a value of 1, a client MAY use the
      // Extended CONNECT as defined in this document when creating new streams."
      if (settings.enableConnectProtocol === true) {
        this.release();
        this.finish({ kind: 'h2', session });
        return;
      }
      session.on('error', ignoreError);
      session.destroy();
      this.finish({ kind: 'http1', reason: 'the server does not enable the extended CONNECT (RFC 8441)' });
    });
  }

  private readonly onSessionError = (error: Error): void => this.sessionFailed(error);
  private readonly onSessionClose = (): void => this.sessionFailed(new Error('connection closed before the server sent its settings'));

  /** The session ended before the server's SETTINGS: h2c refused by an HTTP/1.1 server, or a fault. */
  private sessionFailed(error: Error): void {
    if (this.done === null || this.session === null) return;
    this.detachSession(this.session);
    this.session.on('error', ignoreError);
    this.session.destroy();
    // Over TLS the server chose h2 itself, so a fault is a fault. Over TCP (h2c with prior knowledge) a server
    // that does not speak HTTP/2 answers the preface with an HTTP/1.1 error or closes: use HTTP/1.1 instead.
    if (this.target.secure) this.finish(transportError(error));
    else this.finish({ kind: 'http1', reason: `the server does not speak h2c (${error.message})` });
  }

  private detachSession(session: ClientHttp2Session): void {
    session.off('error', this.onSessionError);
    session.off('close', this.onSessionClose);
  }

  /** The socket is handed on (to the session pool or the HTTP/1.1 path): stop listening to it. */
  private release(): void {
    this.socket?.off('error', this.onSocketError);
    this.tunnel?.off('error', this.onSocketError);
  }

  finish(outcome: DialOutcome | Error): void {
    const done = this.done;
    if (done === null) return;
    this.done = null;
    if (outcome instanceof Error) this.destroy();
    done(outcome);
  }

  cancel(): void {
    if (this.done === null) return;
    this.done = null;
    this.destroy();
  }

  private destroy(): void {
    this.cancelTunnel?.();
    const session = this.session;
    if (session !== null) {
      this.detachSession(session);
      session.on('error', ignoreError);
      session.destroy();
    }
    for (const socket of [this.socket, this.tunnel]) {
      if (socket === null) continue;
      socket.off('error', this.onSocketError);
      socket.on('error', ignoreError);
      socket.destroy();
    }
  }
}
