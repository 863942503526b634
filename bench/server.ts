/**
 * The benchmark server, run as its own process so that its CPU does not share
 * the clients' event loops. It speaks just enough WebSocket for the benches,
 * over plain TCP and over TLS (same routes):
 *   /blast?size=N&count=N&type=text|binary   a first frame, count-2 identical middle frames, a last frame (bench/payloads.ts), as fast as the socket drains, then a close frame
 *   /json?size=N&count=N                     market-data JSON (64 distinct messages, cycled), permessage-deflate compressed once up front; closes with 1010 if the client did not offer permessage-deflate
 *   /sink?count=N&size=N                     counts client data frames and bytes, checks the first and last payloads, answers a JSON summary after `count` frames
 *   /echo                                    echoes every data frame
 *   /idle                                    answers pings (memory and idle CPU rows)
 *   /fanin?size=N&rate=N                     joins the fan-in pool: every connection gets `rate` messages per second, spread over the second
 *   GET /stats (no upgrade)                  {"pings": n}: pings received so far (the idle row's pings per second)
 * Every route answers pings with pongs and a close with a close. permessage-deflate is negotiated only on
 * /json, with server_no_context_takeover and client_no_context_takeover; every other row is uncompressed,
 * whatever the client offers.
 *
 *   node --import tsx bench/server.ts [key.pem cert.pem]
 * Prints "PORT <n> TLSPORT <m|0>" on stdout once listening; stops on stdin end.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { blastPayload, deflateMessage, fanInPayload, tickerMessages } from './payloads.js';
import { ClientFrameReader, serverFrame } from './server-frames.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const CLOSE_NORMAL = serverFrame(8, Buffer.from([0x03, 0xe8]));
let pings = 0;

/** Writes `frames` (each a Buffer), batched into ~64 KiB writes, `count` frames in all, as fast as the socket drains; then `after`. */
function pump(socket: Socket, cycle: Buffer[], count: number, after: () => void): void {
  // Batch small frames into ~64 KiB writes so that the server is never the bottleneck.
  const batches: Array<{ data: Buffer; frames: number }> = [];
  for (let at = 0; at < cycle.length; ) {
    const start = at;
    let bytes = 0;
    while (at < cycle.length && (at === start || bytes + cycle[at]!.length <= 65536)) bytes += cycle[at++]!.length;
    batches.push({ data: at - start === 1 ? cycle[start]! : Buffer.concat(cycle.slice(start, at)), frames: at - start });
  }
  let sent = 0;
  let batch = 0;
  const next = (): void => {
    while (sent < count) {
      const { data, frames } = batches[batch]!;
      if (sent + frames > count) {
        // The tail: the first frames of this batch only.
        let bytes = 0;
        for (let i = 0; i < count - sent; i++) bytes += cycle[(sent + i) % cycle.length]!.length;
        sent = count;
        socket.write(data.subarray(0, bytes));
        break;
      }
      sent += frames;
      batch = (batch + 1) % batches.length;
      if (!socket.write(data)) return void socket.once('drain', next);
    }
    after();
  };
  next();
}

/** Answers pings, echoes a close; passes data frames to `onData`. */
function reader(socket: Socket, keep: (index: number) => boolean, onData: (opcode: number, payload: Buffer | null, frames: ClientFrameReader) => void): ClientFrameReader {
  const frames = new ClientFrameReader({
    keep,
    frame(opcode, payload) {
      if (opcode === 9) {
        pings++;
        socket.write(serverFrame(10, payload!));
      } else if (opcode === 8) socket.end(CLOSE_NORMAL);
      else if (opcode < 8) onData(opcode, payload, frames);
    },
  });
  socket.on('data', (chunk: Buffer) => frames.push(chunk));
  return frames;
}

const cycles = new Map<number, Buffer[]>();

/** The /json row's frames, compressed once per size. */
function compressedCycle(size: number): Buffer[] {
  let cycle = cycles.get(size);
  if (!cycle) cycles.set(size, (cycle = tickerMessages(size).map((m) => serverFrame(1, deflateMessage(Buffer.from(m)), true))));
  return cycle;
}

const fanIn = new Set<Socket>();
let fanInTimer: NodeJS.Timeout | null = null;

/** One timer for the whole pool: every 10 ms, a tenth of a tenth… so that each connection gets `rate` messages per second, evenly spread. */
function joinFanIn(socket: Socket, size: number, rate: number): void {
  fanIn.add(socket);
  socket.once('close', () => fanIn.delete(socket));
  if (fanInTimer) return;
  const frame = serverFrame(1, Buffer.from(fanInPayload(size)));
  const TICK = 10;
  let phase = 0;
  fanInTimer = setInterval(() => {
    if (fanIn.size === 0) {
      clearInterval(fanInTimer!);
      fanInTimer = null;
      return;
    }
    // Tick k of each second writes to the connections whose index ≡ k (mod ticks per message period).
    const ticks = Math.max(1, Math.round(1000 / rate / TICK));
    let i = 0;
    for (const s of fanIn) if (i++ % ticks === phase) s.write(frame);
    phase = (phase + 1) % ticks;
  }, TICK);
}

function handle(socket: Socket, path: string, headers: Map<string, string>): void {
  const url = new URL(path, 'http://bench');
  const route = url.pathname;
  const number = (name: string): number => Number(url.searchParams.get(name));
  const offered = (headers.get('sec-websocket-extensions') ?? '').includes('permessage-deflate');
  const deflate = offered && route === '/json';
  const accept = createHash('sha1').update(headers.get('sec-websocket-key') + GUID).digest('base64');
  const extra = deflate ? 'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n' : '';
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${extra}\r\n`);
  switch (route) {
    case '/blast': {
      const size = number('size');
      const count = number('count');
      const text = url.searchParams.get('type') === 'text';
      const opcode = text ? 1 : 2;
      const middle = serverFrame(opcode, blastPayload(size, text, 'middle'));
      // Middle frames repeated up to ~64 KiB per batch: the cycle of the pump.
      const perBatch = Math.max(1, Math.floor(65536 / middle.length));
      const first = serverFrame(opcode, blastPayload(size, text, 'first'));
      const last = serverFrame(opcode, blastPayload(size, text, 'last'));
      socket.write(first);
      pump(socket, Array.from({ length: perBatch }, () => middle), Math.max(0, count - 2), () => {
        if (count > 1) socket.write(last);
        socket.write(CLOSE_NORMAL);
      });
      reader(socket, () => false, () => undefined);
      return;
    }
    case '/json': {
      if (!deflate) {
        // The row measures inflate: a client that did not offer it is told so (close code 1010, "extension required").
        socket.end(serverFrame(8, Buffer.concat([Buffer.from([0x03, 0xf2]), Buffer.from('permessage-deflate not offered')])));
        return;
      }
      const cycle = compressedCycle(number('size'));
      pump(socket, cycle, number('count'), () => socket.write(CLOSE_NORMAL));
      reader(socket, () => false, () => undefined);
      return;
    }
    case '/sink': {
      const count = number('count');
      const size = number('size');
      let first = false;
      let last = false;
      reader(socket, (index) => index === 1 || index === count, (_opcode, payload, frames) => {
        const index = frames.dataFrames;
        if (index === 1) first = payload!.equals(blastPayload(size, false, 'first'));
        if (index === count) {
          last = count === 1 ? first : payload!.equals(blastPayload(size, false, 'last'));
          socket.write(serverFrame(1, Buffer.from(JSON.stringify({ frames: frames.dataFrames, bytes: frames.dataBytes, first, last }))));
        }
      });
      return;
    }
    case '/echo':
      reader(socket, () => true, (opcode, payload) => socket.write(serverFrame(opcode, payload!)));
      return;
    case '/fanin':
      joinFanIn(socket, number('size'), number('rate'));
      reader(socket, () => false, () => undefined);
      return;
    default:
      reader(socket, () => false, () => undefined);
  }
}

function onConnection(socket: Socket): void {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    socket.off('data', onData);
    const lines = head.subarray(0, end).toString('latin1').split('\r\n');
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const path = lines[0]!.split(' ')[1]!;
    if (!headers.has('sec-websocket-key')) {
      const body = JSON.stringify({ pings });
      socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    handle(socket, path, headers);
    const rest = head.subarray(end + 4);
    if (rest.length) socket.emit('data', rest);
  };
  socket.on('data', onData);
}

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));

async function main(): Promise<void> {
  const [keyFile, certFile] = process.argv.slice(2);
  const port = await listen(createServer(onConnection));
  const tlsPort = keyFile && certFile ? await listen(createTlsServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, onConnection)) : 0;
  process.stdout.write(`PORT ${port} TLSPORT ${tlsPort}\n`);
}

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
void main();
