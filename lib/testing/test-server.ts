/**
 * createTestServer: a scripted WebSocket server behind a virtual transport,
 * driven by an RxJS scheduler, so that users (and lomond's own tests) can
 * marble-test code built on `connect$` in virtual time.
 *
 * ```ts
 * testScheduler.run(({ expectObservable }) => {
 *   const server = createTestServer(testScheduler);
 *   server.at(10, () => server.sendText('hi'));
 *   const names$ = connect$('ws://test/', { transport: server.transport, scheduler: testScheduler }).pipe(map((e) => e.name));
 *   expectObservable(names$, '^ 20ms !').toBe('(abcde) 5ms f', …);
 * });
 * ```
 *
 * The testing folder (lomond/testing): the scripted server, its virtual
 * transport (test-connection.ts) and frame helpers. May import: connection/,
 * transports/, events/, core/.
 */
import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { Opcode } from '../core/opcode.js';
import type { Transport, TransportEvent, TransportTarget } from '../transports/transport.js';
import { TestConnection, type TestConnectionOptions } from './test-connection.js';
import { testWebSocketClass, type TestWebSocketConstructor } from './test-web-socket.js';

/** How a {@link TestServer} treats new connections. */
export interface TestServerOptions extends TestConnectionOptions {
  /** Answer the upgrade with 101 as soon as a client connects (default true). */
  autoAccept?: boolean;
}

/** The server side of `lomond/testing`. */
export class TestServer {
  /** Every connection made so far, oldest first. */
  readonly connections: TestConnection[] = [];
  /** Pass this as the `transport` option (the Node build). */
  readonly transport: Transport;
  /**
   * A DOM-shaped `WebSocket` class whose sockets connect to this server: install it as `globalThis.WebSocket`
   * (see {@link installTestWebSocket}) to drive the browser build, which takes no `transport`.
   */
  readonly WebSocket: TestWebSocketConstructor;
  private refusal: string | null = null;

  constructor(
    /** The scheduler the server runs on (the test's). */
    readonly scheduler: SchedulerLike,
    /** How new connections behave (see {@link TestServerOptions}). */
    readonly options: TestServerOptions = {},
  ) {
    this.transport = { open: (target) => this.open(target) };
    this.WebSocket = testWebSocketClass(this);
  }

  private open(target: TransportTarget): Observable<TransportEvent> {
    return new Observable<TransportEvent>((subscriber) => {
      if (this.refusal !== null) {
        const reason = this.refusal;
        const task = this.scheduler.schedule(() => subscriber.error(new Error(reason)), this.options.latency ?? 0);
        return () => task.unsubscribe();
      }
      const connection = new TestConnection(this.scheduler, target, subscriber, this.options);
      this.connections.push(connection);
      connection.start(this.options.autoAccept ?? true);
      return () => connection.clientGone();
    });
  }

  /** The newest connection; throws when there is none. */
  get current(): TestConnection {
    const connection = this.connections[this.connections.length - 1];
    if (!connection) throw new Error('no client has connected to the test server');
    return connection;
  }

  /** Runs `action` after `delay` virtual ms (sugar for `scheduler.schedule`). */
  at(delay: number, action: () => void): Subscription {
    return this.scheduler.schedule(action, delay);
  }

  /** From now on, connection attempts fail with `reason` (like ECONNREFUSED). */
  refuse(reason = 'connect ECONNREFUSED'): void {
    this.refusal = reason;
  }

  /** Accept connections again after {@link refuse}. */
  allow(): void {
    this.refusal = null;
  }

  // Shortcuts to the newest connection.
  /** See {@link TestConnection.accept}. */
  accept(options?: Parameters<TestConnection['accept']>[0]): void {
    this.current.accept(options);
  }
  /** See {@link TestConnection.reject}. */
  reject(statusCode = 403, status = 'Forbidden', headers: Record<string, string> = {}, body = ''): void {
    this.current.reject(statusCode, status, headers, body);
  }
  /** Sends a text message on the newest connection. */
  sendText(text: string): void {
    this.current.sendFrame(Opcode.TEXT, text);
  }
  /** Sends a binary message on the newest connection. */
  sendBinary(data: Uint8Array): void {
    this.current.sendFrame(Opcode.BINARY, data);
  }
  /** Sends a ping on the newest connection. */
  sendPing(data: string | Uint8Array = ''): void {
    this.current.sendFrame(Opcode.PING, data);
  }
  /** Sends a pong on the newest connection. */
  sendPong(data: string | Uint8Array = ''): void {
    this.current.sendFrame(Opcode.PONG, data);
  }
  /** Starts the close handshake from the server side. */
  sendClose(code?: number, reason?: string): void {
    this.current.sendClose(code, reason);
  }
  /** Drops the newest connection's TCP stream (EOF to the client). */
  drop(): void {
    this.current.drop();
  }
  /** Stops answering pings on the newest connection (and later ones). */
  mute(): void {
    this.options.autoPong = false;
    for (const connection of this.connections) connection.options.autoPong = false;
  }
}

/**
 * Installs `server.WebSocket` as `globalThis.WebSocket`, so that the browser build (and any code using the
 * DOM's WebSocket) connects to the test server; returns a function that puts the previous one back.
 *
 * @example
 * ```ts
 * import { connect$ } from 'lomond/browser';
 * import { createTestServer, installTestWebSocket } from 'lomond/testing';
 *
 * const server = createTestServer(scheduler);
 * const restore = installTestWebSocket(server);
 * try {
 *   connect$('ws://feed.test/', { scheduler }).subscribe(…); // the browser build, in virtual time
 * } finally {
 *   restore();
 * }
 * ```
 */
export function installTestWebSocket(server: TestServer): () => void {
  const global = globalThis as { WebSocket?: unknown };
  const had = Object.prototype.hasOwnProperty.call(global, 'WebSocket');
  const previous = global.WebSocket;
  global.WebSocket = server.WebSocket;
  return () => {
    if (had) global.WebSocket = previous;
    else delete global.WebSocket;
  };
}

/**
 * Creates a scripted server driven by `scheduler` (a `TestScheduler` in marble tests).
 *
 * @param scheduler - the scheduler of the test (also pass it to `connect$`)
 * @param options - default behaviour of connections
 */
export function createTestServer(scheduler: SchedulerLike, options?: TestServerOptions): TestServer {
  return new TestServer(scheduler, { ...options });
}
