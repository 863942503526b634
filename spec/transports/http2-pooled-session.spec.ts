/**
 * What happens to the WebSockets of a shared HTTP/2 session when the server
 * resets one stream, sends GOAWAY, drops the connection or restarts
 * (lib/transports/http2-pooled-session.ts, http2-stream.ts).
 */
import { constants } from 'node:http2';
import { isBackOff, isDisconnected, isReady, persist, type Disconnected, type Text } from '../../lib/index.js';
import { startH2Server, type LocalH2Server } from '../helpers/h2-server.js';
import { nextMessage, open, type Live } from '../helpers/h2-client.js';

describe('a shared HTTP/2 session under faults', () => {
  let server: LocalH2Server;
  const lives: Live[] = [];
  const connect = (options: Parameters<typeof open>[1] = {}, pipe?: Parameters<typeof open>[2]): Live => {
    const live = open(server.url, { tls: { ca: server.ca }, ...options }, pipe);
    lives.push(live);
    return live;
  };
  const echo = async (live: Live, text: string): Promise<string> => {
    const message = nextMessage(live);
    live.ws.sendText(text);
    return ((await message) as Text).text;
  };
  const two = async (): Promise<[Live, Live]> => {
    const pair: [Live, Live] = [connect(), connect()];
    await Promise.all(pair.map((live) => live.next(isReady)));
    expect(server.connections).toBe(1);
    return pair;
  };
  afterEach(async () => {
    for (const live of lives.splice(0)) live.subscription.unsubscribe();
    await server?.close();
  });

  it('a reset stream (RST_STREAM CANCEL) ends only its WebSocket, with disconnected(graceful=false)', async () => {
    server = await startH2Server();
    const [one, other] = await two();
    [...server.streams][0]!.close(constants.NGHTTP2_CANCEL);
    const end = (await one.next(isDisconnected)) as Disconnected;
    expect(end).toMatchObject({ graceful: false, reason: 'stream reset by the server (http/2 error code 8)' });
    expect(await echo(other, 'unaffected')).toBe('unaffected');
  });

  it('a GOAWAY with an error code ends every WebSocket of the session with disconnected(graceful=false)', async () => {
    server = await startH2Server();
    const pair = await two();
    [...server.sessions][0]!.goaway(constants.NGHTTP2_INTERNAL_ERROR);
    const ends = (await Promise.all(pair.map((live) => live.next(isDisconnected)))) as Disconnected[];
    for (const end of ends) expect(end.graceful).toBe(false);
    // The next WebSocket gets a new session.
    const next = connect();
    await next.next(isReady);
    expect(server.connections).toBe(2);
  });

  it('a graceful GOAWAY (NO_ERROR) lets the open WebSockets run on, and new ones get a new session', async () => {
    server = await startH2Server();
    const [one] = await two();
    const first = [...server.sessions][0]!;
    await new Promise<void>((resolve) => {
      first.goaway(constants.NGHTTP2_NO_ERROR, 2 ** 31 - 1);
      // The client's answer to GOAWAY is a GOAWAY of its own.
      first.once('goaway', () => resolve());
    });
    expect(await echo(one, 'still open')).toBe('still open');
    const next = connect();
    await next.next(isReady);
    expect(server.connections).toBe(2);
  });

  it('a dropped connection ends every WebSocket with disconnected(graceful=false)', async () => {
    server = await startH2Server();
    const pair = await two();
    [...server.sessions][0]!.destroy();
    const ends = (await Promise.all(pair.map((live) => live.next(isDisconnected)))) as Disconnected[];
    for (const end of ends) expect(end.graceful).toBe(false);
  });

  it('persist reconnects every WebSocket over a new session after a server restart', async () => {
    server = await startH2Server();
    const port = server.port;
    const persisted = Array.from({ length: 3 }, () => connect({}, (events$) => events$.pipe(persist({ minWait: 50, maxWait: 100 }))));
    await Promise.all(persisted.map((live) => live.next(isReady)));
    await server.close();
    await Promise.all(persisted.map((live) => live.next(isBackOff)));
    server = await startH2Server({ port });
    const readies = (): number[] => persisted.map((live) => live.events.filter(isReady).length);
    await Promise.all(persisted.map((live) => live.next((event) => isReady(event) && live.events.filter(isReady).length === 2)));
    expect(readies()).toEqual([2, 2, 2]);
    expect(server.connections).toBe(1);
    expect(await echo(persisted[2]!, 'back')).toBe('back');
  });
});
