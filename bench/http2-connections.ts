/**
 * The HTTP/2 row: 200 WebSockets to one origin over one HTTP/2 session
 * (RFC 8441, `http2: true`) against 200 over HTTP/1.1 (one TLS connection
 * each): the time until all are `ready`, and the client's heap and RSS per
 * connection (after two full GCs, against the same process before it opened
 * them). `npm run bench:http2` (builds first); BENCH_QUICK=1 for one repeat.
 *
 * The server (node:http2 with allowHTTP1, SETTINGS_ENABLE_CONNECT_PROTOCOL = 1,
 * and `ws` behind its HTTP/1.1 upgrades) runs in a process of its own; each
 * sample runs in a fresh client process; the two set-ups alternate, the order
 * reversed on every other repeat.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSecureServer } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { WebSocketServer } from 'ws';
import type { WebSocket as LomondClass } from '../lib/websocket.js';
import { readFileSync } from 'node:fs';
import { generateCertificate } from './tls-cert.js';

const CONNECTIONS = Number(process.env['BENCH_H2_CONNECTIONS'] ?? 200);
const REPEATS = process.env['BENCH_QUICK'] === '1' ? 1 : 5;

/** What one client process measured. */
interface Sample {
  readonly ms: number;
  readonly heapPerConnection: number;
  readonly rssPerConnection: number;
  readonly versions: string[];
}

function serve(certFile: string, keyFile: string): void {
  const [cert, key] = [readFileSync(certFile), readFileSync(keyFile)];
  const server = createSecureServer({ cert, key, allowHTTP1: true, settings: { enableConnectProtocol: true } });
  let connections = 0;
  server.on('connection', (socket: Socket) => {
    connections++;
    socket.on('error', () => undefined);
  });
  server.on('session', (session) => session.on('error', () => undefined));
  server.on('stream', (stream) => {
    stream.on('error', () => undefined);
    stream.respond({ ':status': 200 });
    stream.resume();
    stream.on('end', () => stream.end());
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => wss.handleUpgrade(request, socket as Socket, head, () => undefined));
  server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
  // The parent asks for the TCP connections accepted so far on stdin.
  createInterface({ input: process.stdin }).on('line', () => console.log(connections));
}

async function client(port: number, http2: boolean): Promise<void> {
  const { WebSocket } = require('../dist/cjs/index.js') as { WebSocket: typeof LomondClass };
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  gc();
  const before = { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
  const start = performance.now();
  const versions: string[] = [];
  const sockets: LomondClass[] = [];
  await Promise.all(
    Array.from({ length: CONNECTIONS }, () => {
      const ws = new WebSocket(`wss://127.0.0.1:${port}/`, { http2, proxies: {} });
      sockets.push(ws);
      return new Promise<void>((resolve, reject) =>
        ws.connect$({ pingRate: 0, poll: 3_600_000 }).subscribe((event) => {
          if (event.name === 'ready') {
            versions.push(event.response.httpVersion);
            resolve();
          } else if (event.name === 'connect_fail' || event.name === 'rejected') reject(new Error(event.name));
        }),
      );
    }),
  );
  const ms = performance.now() - start;
  gc();
  gc();
  const after = process.memoryUsage();
  const sample: Sample = {
    ms,
    heapPerConnection: (after.heapUsed - before.heap) / CONNECTIONS,
    rssPerConnection: (after.rss - before.rss) / CONNECTIONS,
    versions: [...new Set(versions)],
  };
  console.log(JSON.stringify(sample));
  process.exit(0);
}

/** Runs one client process; resolves with its sample. */
function runClient(port: number, http2: boolean, ca: string): Promise<Sample> {
  // The client trusts the certificate as the other bench rows do: through NODE_EXTRA_CA_CERTS, verified.
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, 'client', String(port), http2 ? 'h2' : 'h1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_EXTRA_CA_CERTS: ca },
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as Sample));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`client exited with ${code}`))));
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const cell = (values: number[], digits = 0): string =>
  `${median(values).toFixed(digits)} [${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}]`;

async function main(): Promise<void> {
  const certificate = generateCertificate();
  if (certificate === null) return;
  const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', __filename, 'server', certificate.cert, certificate.key], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: server.stdout! });
  const read = (): Promise<number> => new Promise((resolve) => lines.once('line', (line) => resolve(Number(line))));
  const port = await read();
  const results = { h2: [] as Sample[], h1: [] as Sample[], tcp: { h2: [] as number[], h1: [] as number[] } };
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    const order = repeat % 2 === 0 ? (['h2', 'h1'] as const) : (['h1', 'h2'] as const);
    for (const mode of order) {
      server.stdin!.write('\n');
      const before = await read();
      results[mode].push(await runClient(port, mode === 'h2', certificate.cert));
      server.stdin!.write('\n');
      results.tcp[mode].push((await read()) - before);
    }
  }
  server.kill();
  certificate.remove();
  const kib = (values: number[]): number[] => values.map((value) => value / 1024);
  console.log(`${CONNECTIONS} connections to one wss:// origin, ${REPEATS} repeats, median [min–max]; Node ${process.version}\n`);
  console.log('| set-up | HTTP version | TCP connections | time to all ready (ms) ↓ | heap per connection (KiB) ↓ | RSS per connection (KiB) ↓ |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [mode, label] of [['h2', 'lomond, http2: true (one h2 session)'], ['h1', 'lomond, HTTP/1.1 (one TLS connection each)']] as const) {
    const samples = results[mode];
    console.log(
      `| ${label} | ${samples[0]!.versions.join(', ')} | ${cell(results.tcp[mode])} | ${cell(samples.map((s) => s.ms))} | ${cell(kib(samples.map((s) => s.heapPerConnection)), 1)} | ${cell(kib(samples.map((s) => s.rssPerConnection)), 1)} |`,
    );
  }
}

const [mode, first, second] = process.argv.slice(2);
if (mode === 'server') serve(first!, second!);
else if (mode === 'client') void client(Number(first), second === 'h2');
else void main();
