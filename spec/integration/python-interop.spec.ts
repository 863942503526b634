/**
 * Interop with an independent implementation: Debian's python3-websockets
 * (spec/fixtures/python-echo.py, on 127.0.0.1 port 0) for the compression
 * variants: what we offer, what it answers, and messages both ways under the
 * negotiated windows and context takeover. .ci/run installs the package when
 * it is missing; without it (no root, no network) the suite skips and its
 * title says why.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Ready, Text, WebSocketEvent } from '../../lib/events/events.js';
import type { CompressOptions } from '../../lib/session/options.js';
import { WebSocket } from '../../lib/websocket.js';

/** The first interpreter that has websockets: Debian's /usr/bin/python3 first (a pyenv python3 on PATH may lack it). */
const PYTHON = ['/usr/bin/python3', 'python3'].find((python) => spawnSync(python, ['-c', 'import websockets'], { stdio: 'ignore' }).status === 0);
const SERVER = join(__dirname, '..', 'fixtures', 'python-echo.py');
const TITLE = PYTHON !== undefined ? 'interop with python-websockets' : 'interop with python-websockets (no python3 with websockets: apt-get install python3-websockets)';
const SESSION = { pingRate: 0, poll: 600_000, proxies: {}, connectTimeout: 10_000, closeTimeout: 1000 };

/** Starts the python echo server with `args`; resolves with its port once it printed it. */
async function startPython(args: string[]): Promise<{ port: number; stop(): Promise<void> }> {
  const child: ChildProcessWithoutNullStreams = spawn(PYTHON!, [SERVER, ...args], { stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(Number(line)));
    child.once('exit', (code) => reject(new Error(`python-echo exited with ${code}: ${stderr}`)));
  });
  return {
    port,
    stop: async () => {
      child.stdin.end(); // the server exits when its stdin closes
      await exited;
    },
  };
}

/** Connects with `compress`, sends each message in turn and waits for its echo; returns ready and the echoes. */
async function exchange(port: number, compress: boolean | CompressOptions, messages: string[]): Promise<{ ready: Ready; echoes: string[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { compress });
  const echoes: string[] = [];
  let ready: Ready | undefined;
  await new Promise<void>((resolve, reject) => {
    const subscription = ws.connect$(SESSION).subscribe({
      next: (event: WebSocketEvent) => {
        if (event.name === 'ready') {
          ready = event;
          ws.sendText(messages[0]!);
        }
        if (event.name === 'text') {
          echoes.push((event as Text).text);
          if (echoes.length === messages.length) {
            subscription.unsubscribe();
            resolve();
          } else ws.sendText(messages[echoes.length]!);
        }
        if (event.name === 'rejected' || event.name === 'connect_fail') reject(new Error(JSON.stringify(event)));
      },
      error: reject,
    });
  });
  return { ready: ready!, echoes };
}

/** Compressible messages of several sizes, with repeats across messages (context takeover matters). */
const MESSAGES = ['short', 'lomond '.repeat(3000), `${'abc'.repeat(20_000)}-${'lomond '.repeat(3000)}`, 'lomond '.repeat(3000), 'x'.repeat(1 << 20)];

(PYTHON !== undefined ? describe : describe.skip)(TITLE, () => {
  it.each<[string, string[], boolean | CompressOptions, string]>([
    ['its defaults (windows of 2^12 both ways)', [], true, 'permessage-deflate; server_max_window_bits=12; client_max_window_bits=12'],
    ['no compression', ['--off'], true, ''],
    ['a small server window we ask for', [], { serverMaxWindowBits: 9 }, 'permessage-deflate; server_max_window_bits=9; client_max_window_bits=12'],
    // Python's zlib cannot deflate with a 256-byte window (our window-bits.ts explains why), so the server side stays at 9.
    ['the smallest windows (9 for the server, 8 for us)', ['--server-max-window-bits', '9', '--client-max-window-bits', '8'], { serverMaxWindowBits: 9, clientMaxWindowBits: 8 }, 'permessage-deflate; server_max_window_bits=9; client_max_window_bits=8'],
    ['no context takeover, both ways', ['--server-no-context-takeover', '--client-no-context-takeover'], { serverNoContextTakeover: true, clientNoContextTakeover: true, level: 1, memLevel: 9 }, 'permessage-deflate; server_no_context_takeover; client_no_context_takeover'],
    ['our promise of client_max_window_bits=10, threshold 0', [], { clientMaxWindowBits: 10, threshold: 0, level: 9 }, 'permessage-deflate; server_max_window_bits=12; client_max_window_bits=10'],
  ])('%s', async (_name, args, compress, answer) => {
    const server = await startPython(args);
    try {
      const { ready, echoes } = await exchange(server.port, compress, MESSAGES);
      expect(ready.response.get('sec-websocket-extensions') ?? '').toBe(answer);
      expect(ready.extensions.has('permessage-deflate')).toBe(answer !== '');
      expect(echoes).toEqual(MESSAGES);
    } finally {
      await server.stop();
    }
  });
});
