// The built app (dist/ticker/browser) in headless Chromium against a local
// ticker server on 127.0.0.1: the page must render the ticks of the first
// connection, and after the server drops it, those of the reconnection.
//
//   node e2e/ticker.e2e.mjs     (after `ng build`; CHROMIUM overrides /usr/bin/chromium)
//
// Ends with "e2e: N passed, N failed" and exits 1 on any failure.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { WebSocketServer } from 'ws';

const root = fileURLToPath(new URL('../dist/ticker/browser/', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.ico': 'image/x-icon' };

/** Static files of the build, and the feed at /ticker: connection n sends prices n*100, n*100+1, … every 50 ms. */
function startServer() {
  const sockets = [];
  const http = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path === '/' ? 'index.html' : path);
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(200, { 'Content-Type': TYPES['.html'] }).end(await readFile(join(root, 'index.html')));
    }
  });
  const feed = new WebSocketServer({ noServer: true });
  http.on('upgrade', (request, socket, head) => {
    if (request.url !== '/ticker') return socket.destroy();
    feed.handleUpgrade(request, socket, head, (ws) => {
      const n = sockets.push(ws);
      let price = n * 100;
      const timer = setInterval(() => ws.send(JSON.stringify({ symbol: 'BTC', price: price++ })), 50);
      ws.on('close', () => clearInterval(timer));
    });
  });
  return new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve({ http, feed, sockets, port: http.address().port })));
}

const results = [];
async function check(label, fn) {
  try {
    const note = await fn();
    results.push(true);
    console.log(`ok - ${label}${note ? ` (${note})` : ''}`);
  } catch (error) {
    results.push(false);
    console.log(`not ok - ${label}\n  ${String(error?.stack ?? error).replace(/\n/g, '\n  ')}`);
  }
}

const server = await startServer();
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run', '--disable-quic',
    // Loopback only: no host name resolves, and anything not loopback goes to a dead proxy.
    '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1', '--proxy-server=http://127.0.0.1:9'],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  const tick = () => page.$eval('.tick', (element) => element.textContent.trim());
  const waitForTick = (pattern, timeout = 20_000) =>
    page.waitForFunction((source) => new RegExp(source).test(document.querySelector('.tick')?.textContent ?? ''), { timeout, polling: 50 }, pattern.source);

  await check('the app renders the ticks of the feed', async () => {
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await waitForTick(/^BTC 1\d\d$/);
    const first = await tick();
    // A later tick of the same connection replaces it.
    await page.waitForFunction((seen) => document.querySelector('.tick')?.textContent.trim() !== seen, { timeout: 10_000, polling: 50 }, first);
    const next = await tick();
    if (!/^BTC 1\d\d$/.test(next)) throw new Error(`unexpected tick ${next}`);
    return `${first} → ${next}`;
  });
  await check('after the server drops the connection, persist reconnects and the ticks of the new one render', async () => {
    server.sockets[0].terminate();
    await waitForTick(/^BTC 2\d\d$/);
    return `${server.sockets.length} connections, now ${await tick()}`;
  });
  await check('no error in the page', async () => {
    if (errors.length > 0) throw new Error(errors.join('\n'));
  });
} finally {
  await browser.close();
  for (const ws of server.feed.clients) ws.terminate();
  server.http.close();
}
const failed = results.filter((ok) => !ok).length;
console.log(`e2e: ${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
