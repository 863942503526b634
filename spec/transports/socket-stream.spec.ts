import type { Socket } from 'node:net';
import { netConnect, netStream } from '../../lib/transports/net.js';
import type { TransportConnection } from '../../lib/transports/transport.js';
import { startRawServer, type RawServer } from '../helpers/raw-server.js';
import { record, targetFor, type Recording } from '../helpers/transport-target.js';

/** Reads from the server side until `length` bytes arrived after the request head. */
function receive(socket: Socket, length: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      if (text.length >= length) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
  });
}

describe('socket connection', () => {
  let server: RawServer;
  let recording: Recording;
  let connection: TransportConnection;
  let peer: Socket;

  beforeEach(async () => {
    server = await startRawServer();
    recording = record(netStream(targetFor(`ws://127.0.0.1:${server.port}/`)));
    await recording.until((r) => r.types().includes('data'));
    const open = recording.events[0]!;
    if (open.type !== 'open') throw new Error(`expected open, got ${open.type}`);
    connection = open.connection;
    peer = await server.connection(0);
  });

  afterEach(async () => {
    recording.subscription.unsubscribe();
    await server.close();
  });

  it('writes bytes to the socket', async () => {
    const received = receive(peer, 3);
    connection.write(Buffer.from('abc'));
    await expect(received).resolves.toBe('abc');
  });

  it('writes buffers sent in one tick in order', async () => {
    const received = receive(peer, 9);
    connection.write(Buffer.from('one'));
    connection.write(Buffer.from('two'));
    connection.write(new Uint8Array([0x33, 0x33, 0x33]));
    await expect(received).resolves.toBe('onetwo333');
  });

  it('reports the bytes queued but not yet flushed as bufferedAmount', () => {
    expect(connection.bufferedAmount).toBe(0);
    peer.pause();
    connection.write(Buffer.alloc(4 * 1024 * 1024));
    expect(connection.bufferedAmount).toBeGreaterThan(0);
  });

  it('completes the stream when destroyed', async () => {
    connection.destroy();
    await expect(recording.done).resolves.toBeNull();
    await expect(server.closed(0)).resolves.toBeUndefined();
  });

  it('errors the stream with the socket error after open', async () => {
    peer.resetAndDestroy();
    const error = await recording.done;
    expect(error?.message).toMatch(/ECONNRESET/);
  });
});

describe('an observer that takes chunks directly (the pipeline head)', () => {
  it('gets every chunk through data(), without data events, and the other events through next()', async () => {
    const server = await startRawServer({ answer: 'HTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x02hi', end: true });
    const types: string[] = [];
    const chunks: string[] = [];
    await new Promise<void>((resolve, reject) => {
      netConnect(targetFor(`ws://127.0.0.1:${server.port}/`), {
        next: (event) => types.push(event.type),
        data: (chunk, transient) => chunks.push(`${transient}:${Buffer.from(chunk).toString('latin1')}`),
        error: reject,
        complete: resolve,
      });
    });
    await server.close();

    expect(types).toEqual(['open']);
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.every((chunk) => chunk.startsWith('true:'))).toBe(true); // the shared read buffer
    expect(chunks.map((chunk) => chunk.slice(5)).join('')).toBe('HTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x02hi');
  });
});
