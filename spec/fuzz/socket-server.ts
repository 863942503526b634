/**
 * Driver (b): a node:net server on 127.0.0.1:0 that plays fuzz cases over
 * real sockets. Each case registers under a path (`/case/<n>`); the server
 * reads the upgrade request (at most 64 KiB), takes its key, answers with
 * the case's script, a chunk per event-loop turn, and records when the
 * client's socket closed.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Driver } from './run-case.js';
import type { DriverProfile, Scenario } from './scenario.js';
import { emptyLog, ScriptPlayer, type ServerLog } from './script-player.js';

/** The socket driver's timing: loopback is fast, but a case may write thousands of chunks. */
export const SOCKET: DriverProfile = { name: 'socket', closeTimeout: 200, connectTimeout: 5000, stallConnectTimeout: 150, maxChunks: 3000 };

const MAX_REQUEST = 64 * 1024;
const CRLFCRLF = Buffer.from('\r\n\r\n');

interface Registered {
  readonly scenario: Scenario;
  readonly log: ServerLog;
  readonly onScriptEnd: () => void;
  /** Server-side sockets of this case (one expected). */
  readonly sockets: Socket[];
}

/** A registered case, as the runner sees it. */
export interface SocketCase {
  readonly url: string;
  readonly log: ServerLog;
  /** Server-side sockets still open. */
  openSockets(): number;
  /** Connections the client made for the case. */
  connections(): number;
  /** Destroys what is left of the case's sockets and forgets it. */
  dispose(): void;
}

/** The fuzz server. */
export class FuzzServer {
  private readonly server: Server;
  private readonly cases = new Map<string, Registered>();
  private counter = 0;
  port = 0;

  private constructor(private readonly profile: DriverProfile) {
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Starts a server on 127.0.0.1 with an ephemeral port. */
  static async start(profile: DriverProfile = SOCKET): Promise<FuzzServer> {
    const server = new FuzzServer(profile);
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    server.port = (server.server.address() as AddressInfo).port;
    return server;
  }

  /** Registers a case; the client connects to the returned URL. */
  register(scenario: Scenario, onScriptEnd: () => void): SocketCase {
    const path = `/case/${++this.counter}`;
    const entry: Registered = { scenario, log: emptyLog(), onScriptEnd, sockets: [] };
    this.cases.set(path, entry);
    return {
      url: `ws://127.0.0.1:${this.port}${path}`,
      log: entry.log,
      openSockets: () => entry.sockets.filter((socket) => !socket.destroyed).length,
      connections: () => entry.sockets.length,
      dispose: () => {
        for (const socket of entry.sockets) socket.destroy();
        this.cases.delete(path);
      },
    };
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    let head = Buffer.alloc(0);
    const onHead = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(CRLFCRLF);
      if (end < 0) {
        if (head.length > MAX_REQUEST) socket.destroy();
        return;
      }
      socket.off('data', onHead);
      const request = head.subarray(0, end).toString('latin1');
      const entry = this.cases.get(/^GET (\S+) /.exec(request)?.[1] ?? '');
      if (entry === undefined) {
        socket.destroy();
        return;
      }
      this.play(socket, entry, request, head.subarray(end + 4));
    };
    socket.on('data', onHead);
  }

  private play(socket: Socket, entry: Registered, request: string, rest: Buffer): void {
    entry.sockets.push(socket);
    const player = new ScriptPlayer(
      entry.scenario,
      this.profile,
      {
        send: (chunk) => {
          if (socket.writable) socket.write(chunk);
        },
        end: () => socket.end(),
        reset: () => socket.resetAndDestroy(),
      },
      entry.log,
      entry.onScriptEnd,
    );
    socket.on('data', (data: Buffer) => player.onClientData(data));
    socket.on('close', () => player.clientGone());
    const key = /^sec-websocket-key:[ \t]*(\S*)/im.exec(request)?.[1] ?? '';
    player.start(key);
    if (rest.length > 0) player.onClientData(rest);
  }

  /** Stops listening and destroys every socket left. */
  async stop(): Promise<void> {
    for (const entry of this.cases.values()) for (const socket of entry.sockets) socket.destroy();
    this.cases.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Driver (b): cases played by `server` over real sockets. */
export function socketDriver(server: FuzzServer): Driver {
  return {
    profile: SOCKET,
    prepare(scenario, onScriptEnd) {
      const registered = server.register(scenario, onScriptEnd);
      return {
        url: registered.url,
        log: registered.log,
        openConnections: () => registered.openSockets(),
        connections: () => registered.connections(),
        dispose: () => registered.dispose(),
      };
    },
  };
}
