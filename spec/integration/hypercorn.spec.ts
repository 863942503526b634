/**
 * RFC 8441 against an independent peer: Debian's python3-hypercorn (h2 via
 * the python-hyper `h2` library, WebSockets via wsproto) serving an ASGI echo
 * (hypercorn_echo.py) on 127.0.0.1, over TLS with ALPN h2 and over h2c with
 * prior knowledge. hypercorn announces SETTINGS_MAX_CONCURRENT_STREAMS = 100,
 * so 150 WebSockets need two sessions. Skips, saying why, when hypercorn is
 * not installed (.ci/run installs it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isReady, type Binary, type Ready, type Text } from '../../lib/index.js';
import { nextMessage, open, type Live } from '../helpers/h2-client.js';
import { tlsFixtures } from '../helpers/tls-fixtures.js';

const PYTHON = '/usr/bin/python3';
const available = spawnSync(PYTHON, ['-c', 'import hypercorn'], { stdio: 'ignore' }).status === 0;
const TITLE = available
  ? 'interop with hypercorn (RFC 8441)'
  : `interop with hypercorn (RFC 8441) (no hypercorn for ${PYTHON}: apt-get install python3-hypercorn)`;

/** Starts the echo; resolves with its port once it listens. */
async function startHypercorn(tls: boolean, dir: string): Promise<{ port: number; child: ChildProcess }> {
  const args = [join(__dirname, 'hypercorn_echo.py')];
  if (tls) {
    const { cert, key } = tlsFixtures();
    writeFileSync(join(dir, 'cert.pem'), cert);
    writeFileSync(join(dir, 'key.pem'), key);
    args.push('--tls', join(dir, 'cert.pem'), join(dir, 'key.pem'));
  }
  const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    lines.once('line', (line) => resolve(Number(line)));
    child.once('exit', (code) => reject(new Error(`hypercorn exited with ${code}`)));
  });
  // hypercorn logs "Running on …" to stderr once it serves.
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer): void => {
      if (!chunk.toString().includes('Running on')) return;
      child.stderr!.off('data', onData);
      resolve();
    };
    child.stderr!.on('data', onData);
  });
  return { port, child };
}

(available ? describe : describe.skip)(TITLE, () => {
  const lives: Live[] = [];
  let dir: string;
  let child: ChildProcess | null = null;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lomond-hypercorn-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    for (const live of lives.splice(0)) live.subscription.unsubscribe();
    if (child !== null && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    child = null;
  });
  const connect = (url: string, options: Parameters<typeof open>[1] = {}): Live => {
    const live = open(url, { tls: { ca: tlsFixtures().ca }, maxMessageSize: 32 * 1024 * 1024, ...options });
    lives.push(live);
    return live;
  };
  const whoami = async (live: Live): Promise<{ http_version: string; client_port: number }> => {
    const message = nextMessage(live);
    live.ws.sendText('whoami');
    return JSON.parse(((await message) as Text).text);
  };

  it.each([
    ['TLS with ALPN h2', true, 'wss'],
    ['h2c with prior knowledge', false, 'ws'],
  ])('echoes text and binary up to 16 MiB over %s', async (_title, tls, scheme) => {
    const server = await startHypercorn(tls, dir);
    child = server.child;
    const live = connect(`${scheme}://127.0.0.1:${server.port}/echo`, { protocols: ['chat'] });
    const ready = (await live.next(isReady)) as Ready;
    expect(ready.response.httpVersion).toBe('2');
    expect(ready.protocol).toBe('chat');
    expect((await whoami(live)).http_version).toBe('2');
    for (const size of [0, 1, 125, 65536, 1024 * 1024, 16 * 1024 * 1024]) {
      const data = randomBytes(size);
      const message = nextMessage(live);
      live.ws.sendBinary(data);
      const echoed = (await message) as Binary;
      expect(Buffer.compare(Buffer.from(echoed.data), data)).toBe(0);
    }
    const text = 'ünïcödé '.repeat(100_000);
    const message = nextMessage(live);
    live.ws.sendText(text);
    expect(((await message) as Text).text === text).toBe(true);
    live.ws.close(1000, 'done');
    const end = await live.next((event) => event.name === 'disconnected');
    expect(end).toMatchObject({ graceful: true });
  }, 60_000);

  it('negotiates permessage-deflate with hypercorn over h2', async () => {
    const server = await startHypercorn(true, dir);
    child = server.child;
    const live = connect(`wss://127.0.0.1:${server.port}/`, { compress: true });
    const ready = (await live.next(isReady)) as Ready;
    expect([...ready.extensions]).toEqual(['permessage-deflate']);
    const json = JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ symbol: `S${i}`, bid: i })));
    const message = nextMessage(live);
    live.ws.sendText(json);
    expect(((await message) as Text).text).toBe(json);
  });

  it('shares sessions up to hypercorn\'s SETTINGS_MAX_CONCURRENT_STREAMS (100): 150 WebSockets on two TCP connections', async () => {
    const server = await startHypercorn(true, dir);
    child = server.child;
    const all = Array.from({ length: 150 }, () => connect(`wss://127.0.0.1:${server.port}/`));
    await Promise.all(all.map((live) => live.next(isReady)));
    const who = await Promise.all(all.map((live) => whoami(live)));
    expect(new Set(who.map((entry) => entry.http_version))).toEqual(new Set(['2']));
    const ports = new Map<number, number>();
    for (const { client_port } of who) ports.set(client_port, (ports.get(client_port) ?? 0) + 1);
    expect([...ports.values()].sort((a, b) => a - b)).toEqual([50, 100]);
  }, 60_000);
});
