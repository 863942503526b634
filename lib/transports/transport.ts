/**
 * The Transport seam: how a session gets a byte stream to the server. The
 * Node transports (net, TLS, proxy tunnel, http.Agent) and the virtual
 * transport of `lomond/testing` implement it; the session never touches a
 * socket directly.
 *
 * The transports layer: this seam and its Node implementations (net.ts,
 * tls.ts, proxy.ts and proxy-env.ts, tunnel.ts, agent.ts, socket-stream.ts,
 * node.ts, http2*.ts for RFC 8441),
 * the only place with raw sockets, timers and clocks. May import: core/ only
 * (rxjs, node:*); never connection/ or above.
 */
import type { Observable, Unsubscribable } from 'rxjs';
import type { Agent } from 'node:http';
import type { LookupFunction, Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';

import type { HandshakeRequest } from '../core/handshake.js';
import type { HttpVersion } from '../core/response.js';

export type { HandshakeRequest };

/**
 * What a `createConnection` function is called with: node:net's connect options for `ws:` (`host` and `port`,
 * or `path` for a Unix socket, with `lookup`, `family`, `localAddress`), node:tls's for `wss:` (the same plus
 * `servername` and the `tls` option's fields).
 *
 * @inline
 */
export type CreateConnectionOptions = ConnectionOptions & { readonly family?: number; readonly localAddress?: string };

/**
 * Makes the connection's socket instead of node:net / node:tls (SPEC `createConnection`, as in ws and Node's
 * http): for `wss:` it must return a TLS socket. A socket still connecting is awaited (`connect`, or
 * `secureConnect` for a TLS socket); one already connected is used at once.
 *
 * @inline
 */
export type CreateConnection = (options: CreateConnectionOptions) => Socket;

/** Where and how to connect. */
export interface TransportTarget {
  /** The WebSocket URL (`ws:`, `wss:`, `ws+unix:` or `wss+unix:`). */
  readonly url: URL;
  /** True for `wss:` and `wss+unix:`. */
  readonly secure: boolean;
  /** Host name or IP literal, without IPv6 brackets (for a Unix socket: the name the Host header and TLS use). */
  readonly host: string;
  /** TCP port (default ports filled in). */
  readonly port: number;
  /** Connect to this Unix domain socket instead of `host:port` (never through a proxy). */
  readonly socketPath?: string;
  /** DNS lookup for the host (node:net's `lookup`). */
  readonly lookup?: LookupFunction;
  /** IP family to connect with, 4 or 6 (node:net's `family`). */
  readonly family?: number;
  /** Local address to connect from (node:net's `localAddress`). */
  readonly localAddress?: string;
  /** Makes the socket itself (never through a proxy; an `agent` wins over it). */
  readonly createConnection?: CreateConnection;
  /** The upgrade request the transport sends once the byte stream is up. */
  readonly request: HandshakeRequest;
  /** TLS options for `wss:` (never mutated). */
  readonly tls?: ConnectionOptions;
  /** SPEC `proxies`: undefined → autodetect from the environment; `{}` → no proxy. */
  readonly proxies?: {
    /** The proxy for `ws:` URLs (`http://[user:pass@]host:port`). */
    readonly http?: string;
    /** The proxy for `wss:` URLs. */
    readonly https?: string;
  };
  /** An explicit http.Agent (e.g. HttpsProxyAgent); wins over `proxies`. */
  readonly agent?: Agent;
  /** SPEC `http2`: RFC 8441 over a shared HTTP/2 session when the server allows it, else HTTP/1.1. */
  readonly http2?: boolean;
}

/** A parsed response head, for transports that read the HTTP response themselves (the http.Agent path). */
export interface ResponseHead {
  /** The status code (101 for an upgrade). */
  readonly statusCode: number;
  /** The reason phrase (`'Switching Protocols'`). */
  readonly status: string;
  /** The header lines as name/value pairs, in order, names as sent. */
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>;
  /** The status line's HTTP version (default `'1.1'`): a 101 on HTTP/1.0 is no upgrade (RFC 6455 §4.1). */
  readonly httpVersion?: HttpVersion;
}

/**
 * What a transport's stream emits:
 * - `open` once, when the byte stream is up and the upgrade request has been written;
 * - `response` at most once, only from transports that parse the HTTP response head themselves (the http.Agent
 *   path; the HTTP/2 path, with `httpVersion: '2'`);
 * - `data` for every chunk received (the raw HTTP response first, unless `response` was emitted, then frames
 *   after a 101, or the body's decoded bytes after any other status);
 * - `drain` when the write buffer, once over its high-water mark (`needsDrain`), has emptied.
 *
 * The stream completes when the peer ends the connection (EOF) and errors when
 * connecting fails or the socket faults; the error message is kept verbatim in
 * `connect_fail.reason` / `disconnected.reason`.
 */
export type TransportEvent =
  | {
      /** The byte stream is up and the upgrade request written. */
      readonly type: 'open';
      /** The write side. */
      readonly connection: TransportConnection;
      /** The proxy tunnelled through, credentials redacted, or null. */
      readonly proxy: string | null;
    }
  | {
      /** The transport parsed the HTTP response head itself. */
      readonly type: 'response';
      /** That response head. */
      readonly head: ResponseHead;
    }
  | {
      /** Bytes received. */
      readonly type: 'data';
      /** The chunk received. */
      readonly chunk: Uint8Array;
      /**
       * True when the chunk's memory is reused once this event was handled (the transport reads into one
       * buffer shared by its connections, saving an allocation per read): copy what you keep. Absent or false:
       * the chunk is yours.
       */
      readonly transient?: boolean;
    }
  | {
      /** The write buffer has emptied after `needsDrain`. */
      readonly type: 'drain';
    };

/**
 * What a transport that chooses its read buffers asks the session before each read (ClientProtocol
 * implements it).
 */
export interface ReadHint {
  /** True when the next chunk had better be memory of its own than transient (a large payload is arriving). */
  readonly prefersOwnedChunks: boolean;
  /**
   * Where the next bytes belong, when they can only be the rest of a large message whose buffer is already
   * allocated: reading straight into it saves the copy. A chunk read there is passed on as usual (not
   * transient); null when there is no such place.
   */
  readTarget(): Uint8Array | null;
}

/** The write side of an open transport. */
export interface TransportConnection {
  /** Queues bytes for sending; never drops them (check `bufferedAmount` for backpressure). */
  write(data: Uint8Array): void;
  /**
   * Room for `size` bytes that leave in order with every other write, as if passed to `write` now (a
   * transport that gathers small writes into one buffer per tick offers it): the offset in
   * {@link writableBuffer} (as it is right after this call) where the caller writes them at once. -1: no room
   * for that size, the frame goes through `write`. Optional, with `writableBuffer`: without it every frame does.
   */
  writable?(size: number): number;
  /** The buffer the offset the last {@link writable} call returned points into. */
  readonly writableBuffer?: Uint8Array;
  /** Tears the connection down at once. The stream then completes. */
  destroy(): void;
  /**
   * Half-closes once the close handshake is complete (both Close frames exchanged): an HTTP/2 stream sends
   * END_STREAM. Sockets leave this out, and the server closes TCP first (RFC 6455 §7.1.1).
   */
  end?(): void;
  /** Bytes queued but not yet handed to the OS. */
  readonly bufferedAmount: number;
  /** True while the write buffer is over its high-water mark; a `drain` event follows when it empties. */
  readonly needsDrain?: boolean;
  /** Stops reading (no more `data` until {@link resume}); the peer then meets TCP backpressure. */
  pause?(): void;
  /** Restarts reading after {@link pause}. */
  resume?(): void;
  /**
   * Set by the session for a transport whose `data` may be `transient`: asked before each read (see
   * {@link ReadHint}).
   */
  readHint?: ReadHint | null;
  /**
   * Calls `callback` once everything written so far was handed to the OS (`bufferedAmount` then excludes
   * it), or once the connection is gone; absent where `bufferedAmount` is always 0.
   */
  flushed?(callback: () => void): void;
}

/** Receives a transport's events straight from its socket, without an RxJS subscriber in between (the built-in transports). */
export interface TransportObserver {
  next(event: TransportEvent): void;
  error(error: unknown): void;
  complete(): void;
  /** Optional: a chunk of the byte stream without its `data` event object (the built-in sockets call it where there is one). */
  data?(chunk: Uint8Array, transient: boolean): void;
}

/**
 * What the pipeline's head connects through: a transport's cold Observable, or — for the built-in direct
 * TCP and TLS paths — a function that connects straight to an observer (one RxJS subscriber and its
 * finalizer list less per connection) and returns the teardown.
 */
export type TransportSource = Observable<TransportEvent> | ((observer: TransportObserver) => Unsubscribable);

/** A way to reach a server. `open` is cold: subscribing connects, unsubscribing destroys the connection. */
export interface Transport {
  /** Connects to `target` on subscription; emits {@link TransportEvent}s until the connection ends. */
  open(target: TransportTarget): Observable<TransportEvent>;
}
