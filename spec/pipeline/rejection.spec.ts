/**
 * rejected.body (SPEC): the first bytes of a non-101 answer's body, at most
 * 4 KiB, read within connectTimeout — in virtual time against the scripted
 * server, and over real sockets on 127.0.0.1 (node:net and the http.Agent
 * path, where Node's parser de-chunks the body).
 */
import { Agent } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { lastValueFrom, tap, toArray, type Observable } from 'rxjs';
import { connect$ } from '../../lib/connect.js';
import type { Rejected, WebSocketEvent } from '../../lib/events/events.js';
import { createTestServer } from '../../lib/testing.js';
import { NAMES, names, newScheduler } from '../helpers/marbles.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);
const rejectedOf = (seen: WebSocketEvent[]): Rejected => seen.find((e): e is Rejected => e.name === 'rejected')!;

describe('rejected.body in virtual time', () => {
  const run = (script: (server: ReturnType<typeof createTestServer>) => void, marbles: string, connectTimeout = 1000): WebSocketEvent[] => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler, { autoAccept: false });
      script(server);
      const events$: Observable<WebSocketEvent> = connect$('ws://example.test/', { transport: server.transport, scheduler, pingRate: 0, connectTimeout });
      expectObservable(names(events$.pipe(tap((e) => seen.push(e))))).toBe(marbles, NAMES);
    });
    return seen;
  };

  it('holds the Content-Length body of a refusal', () => {
    const seen = run((server) => server.at(10, () => server.reject(403, 'Forbidden', {}, 'token expired')), '(ab) 6ms (jd|)');
    expect(text(rejectedOf(seen).body)).toBe('token expired');
  });

  it('is empty when there is no body, and for a 101 that fails the checks', () => {
    expect(rejectedOf(run((server) => server.at(10, () => server.reject(404, 'Not Found')), '(ab) 6ms (jd|)')).body).toEqual(new Uint8Array(0));
    const seen = run((server) => server.at(10, () => server.current.accept({ accept: 'wrong' })), '(ab) 6ms (jd|)');
    expect(rejectedOf(seen)).toMatchObject({ reason: expect.stringContaining('accept'), body: new Uint8Array(0) });
  });

  it('waits for a body split over chunks, and emits rejected when it is complete', () => {
    const seen = run((server) => {
      server.at(10, () => server.current.sendRaw(bytes('HTTP/1.1 503 Busy\r\nContent-Length: 11\r\n\r\ntry ')));
      server.at(20, () => server.current.sendRaw(bytes('later')));
      server.at(30, () => server.current.sendRaw(bytes('!!')));
    }, '(ab) 26ms (jd|)');
    expect(text(rejectedOf(seen).body)).toBe('try later!!');
  });

  it('decodes a chunked body and ends at its last chunk', () => {
    const seen = run((server) => {
      server.at(10, () => server.current.sendRaw(bytes('HTTP/1.1 401 No\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwho \r\n')));
      server.at(20, () => server.current.sendRaw(bytes('7\r\nare you\r\n0\r\n\r\n')));
    }, '(ab) 16ms (jd|)');
    expect(text(rejectedOf(seen).body)).toBe('who are you');
  });

  it('reads a body without a length until the server closes', () => {
    const seen = run((server) => {
      server.at(10, () => server.current.sendRaw(bytes('HTTP/1.1 500 Oops\r\n\r\nsomething ')));
      server.at(20, () => server.current.sendRaw(bytes('broke')));
      server.at(40, () => server.drop());
    }, '(ab) 36ms (jd|)');
    expect(text(rejectedOf(seen).body)).toBe('something broke');
    expect(seen.at(-1)).toMatchObject({ name: 'disconnected', reason: 'rejected', graceful: true });
  });

  it('emits rejected with the body so far when connectTimeout expires (not connect_fail: the server did answer)', () => {
    const seen = run((server) => server.at(10, () => server.current.sendRaw(bytes('HTTP/1.1 403 No\r\nContent-Length: 100\r\n\r\npartial'))), '(ab) 96ms (jd|)', 100);
    expect(rejectedOf(seen)).toMatchObject({ reason: 'expected status 101, got 403 No' });
    expect(text(rejectedOf(seen).body)).toBe('partial');
  });

  it('keeps connect_fail for a timeout before any answer', () => {
    run(() => undefined, '(ab) 96ms (f|)', 100);
  });

  it('stops at 4 KiB whatever Content-Length says, without waiting for the rest', () => {
    const seen = run((server) => server.at(10, () => server.current.sendRaw(bytes(`HTTP/1.1 403 No\r\nContent-Length: 1000000\r\n\r\n${'x'.repeat(5000)}`))), '(ab) 6ms (jd|)');
    expect(rejectedOf(seen).body.length).toBe(4096);
  });
});

describe('rejected.body over sockets on 127.0.0.1', () => {
  let server: Server;
  let port: number;
  const sockets = new Set<Socket>();
  let answer: (socket: Socket) => void;

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      let head = '';
      const onData = (chunk: Buffer): void => {
        head += chunk.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        socket.off('data', onData);
        answer(socket);
      };
      socket.on('data', onData);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const connect = (options: object = {}): Promise<WebSocketEvent[]> =>
    lastValueFrom(connect$(`ws://127.0.0.1:${port}/`, { pingRate: 0, proxies: {}, connectTimeout: 5000, ...options }).pipe(toArray()));

  for (const [path, options] of [
    ['node:net', {}],
    ['http.Agent', { agent: new Agent() }],
  ] as const) {
    it(`${path}: a chunked refusal arrives decoded, the connection kept open by the server`, async () => {
      answer = (socket) => {
        socket.write('HTTP/1.1 429 Too Many Requests\r\nTransfer-Encoding: chunked\r\nRetry-After: 7\r\n\r\n5\r\nslow \r\n');
        setImmediate(() => socket.write('4\r\ndown\r\n0\r\n\r\n'));
      };
      const seen = await connect(options);
      expect(names$(seen)).toEqual(['connecting', 'connected', 'rejected', 'disconnected']);
      expect(text(rejectedOf(seen).body)).toBe('slow down');
    });

    it(`${path}: a body without a length ends with the server's close, bounded to 4 KiB`, async () => {
      answer = (socket) => socket.end(`HTTP/1.1 500 Oops\r\nConnection: close\r\n\r\n${'y'.repeat(10_000)}`);
      const seen = await connect(options);
      expect(rejectedOf(seen).body).toEqual(new Uint8Array(4096).fill(0x79));
    });

    it(`${path}: a server that never finishes its body is rejected at connectTimeout with what came`, async () => {
      answer = (socket) => socket.write('HTTP/1.1 403 Forbidden\r\nContent-Length: 50\r\n\r\nno ');
      const started = Date.now();
      const seen = await connect({ ...options, connectTimeout: 300 });
      expect(names$(seen)).toEqual(['connecting', 'connected', 'rejected', 'disconnected']);
      expect(text(rejectedOf(seen).body)).toBe('no ');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    });
  }
});

const names$ = (events: WebSocketEvent[]): string[] => events.map((e) => e.name);
