/**
 * Headless Chromium check of the browser build: a page importing
 * `lomond/browser` and `lomond/testing` (mapped to lib/), bundled with esbuild
 * for the browser platform, runs in a real page against lomond's loopback
 * echo server and reports what it saw: the lifecycles, the heartbeat, json(),
 * browserWake$ with persist, and a marble test of lomond/testing's scripted
 * server driving the browser build (so the testing entry bundles and runs in
 * a browser, with no Node built-in on its path). Skipped, with the reason in its title, when
 * /usr/bin/chromium (or $LOMOND_CHROMIUM) is absent. Loopback only: the page, the echo server
 * and the report endpoint all live on 127.0.0.1, and Chromium runs with
 * background networking off.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { startDemoServer, type DemoServer } from '../../lib/cli/demo-server.js';

/** The browser to drive; LOMOND_CHROMIUM overrides the Debian path. */
const CHROMIUM = process.env['LOMOND_CHROMIUM'] ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
/** The suite's title; when skipped it says why, and scripts/jest-skip-reporter.cjs prints it on one line. */
const TITLE = available
  ? 'browser build in headless Chromium'
  : `browser build in headless Chromium (no chromium at ${CHROMIUM}: apt-get install chromium, or set LOMOND_CHROMIUM)`;

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--disable-dev-shm-usage',
  // Belt and braces for "loopback only": no host name resolves, and anything not loopback goes to a dead proxy.
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
  '--proxy-server=http://127.0.0.1:9',
];

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const lib = join(__dirname, '..', '..', 'lib');

/** The page, bundled as a browser app would bundle it: the package's entries resolved to their sources. */
async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [join(__dirname, 'page.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    alias: { 'lomond/browser': join(lib, 'browser.ts'), 'lomond/testing': join(lib, 'testing.ts') },
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

(available ? describe : describe.skip)(TITLE, () => {
  let echo: DemoServer;
  let page: Server;
  let chromium: ChildProcess | null = null;
  let profile: string;

  beforeAll(async () => {
    echo = await startDemoServer();
    profile = mkdtempSync(join(tmpdir(), 'lomond-chromium-'));
  });

  afterAll(async () => {
    if (chromium?.pid !== undefined && chromium.exitCode === null) process.kill(-chromium.pid, 'SIGKILL');
    await new Promise<void>((resolve) => (page ? page.close(() => resolve()) : resolve()));
    await echo.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('bundles lomond/browser and lomond/testing for the browser platform with no Node built-in', async () => {
    const script = await bundlePage();
    expect(script).not.toMatch(/\bnode:|\brequire\(|\bBuffer\b|process\.env/);
  });

  it('runs the lifecycles, the heartbeat, json(), browserWake$ and lomond/testing in the page like the Node build', async () => {
    const script = await bundlePage();
    const refusedPort = await freePort();
    let deliver!: (body: string) => void;
    const reported = new Promise<string>((resolve) => (deliver = resolve));
    page = createServer((request, response) => {
      if (request.method === 'POST' && request.url === '/report') {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        request.on('end', () => {
          response.end('ok');
          deliver(body);
        });
        return;
      }
      const config = { echoUrl: echo.url, refusedUrl: `ws://127.0.0.1:${refusedPort}/`, reportUrl: '/report' };
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><title>lomond e2e</title><script>globalThis.LOMOND_E2E = ${JSON.stringify(config)};</script><script>${script}</script>`);
    });
    const port = await listen(page);
    chromium = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, `http://127.0.0.1:${port}/`], { detached: true, stdio: 'ignore' });
    const exited = new Promise<never>((_resolve, reject) => chromium!.once('exit', (code) => reject(new Error(`chromium exited with ${code} before reporting`))));
    const report = JSON.parse(await Promise.race([reported, exited])) as Record<string, unknown>;

    expect(report).toEqual({
      echo: [
        { name: 'connecting' },
        { name: 'connected' },
        { name: 'ready', protocol: null, extensions: [], status: 101 },
        { name: 'poll' },
        { name: 'text', text: 'hello' },
        { name: 'binary', data: [1, 2, 3] },
        { name: 'closed', code: 1000, reason: 'done' },
        { name: 'disconnected', graceful: true },
      ],
      refused: [{ name: 'connecting' }, { name: 'connect_fail' }],
      rejectedOption: 'option headers is not available in browsers: the browser controls it',
      heartbeatAnswered: { replies: 3, unresponsive: false, last: 'disconnected' },
      heartbeatUnanswered: {
        tail: [{ name: 'unresponsive' }, { name: 'disconnected', graceful: false }],
        reason: 'unresponsive',
        afterMs: expect.any(Number),
      },
      json: { values: [{ a: 1 }, [2]], invalid: ['not json'] },
      wake: { attempts: 2, fast: true, reasons: ['online', 'visible'], visibility: 'visible' },
      virtualTime: { failures: [], frames: ['closed:', 'closed:hb', 'open:'], restored: 'WebSocket' },
    });
    // interval 100 + timeout 200: not before 300 ms; a generous upper bound for a loaded machine.
    const afterMs = (report['heartbeatUnanswered'] as { afterMs: number }).afterMs;
    expect(afterMs).toBeGreaterThanOrEqual(290);
    expect(afterMs).toBeLessThan(20_000);
  }, 60_000);
});
