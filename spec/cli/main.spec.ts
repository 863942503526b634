/**
 * The CLI in-process (main(argv, io)) against local servers on 127.0.0.1:
 * its embedded demo server and a `ws` server. Streams are collectors,
 * SIGINT comes from an EventEmitter, terminals are declared through io.isTTY.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { WebSocketServer, type WebSocket as WsSocket } from 'ws';
import { DEMO_GREETING, DEMO_LINES } from '../../lib/cli/main.js';
import { VERSION } from '../../lib/core/version.js';
import { runCli } from '../helpers/cli.js';
import { startProxy } from '../helpers/proxy-server.js';
import { tlsFixtures } from '../helpers/tls-fixtures.js';
import { startWsServer, type LocalWsServer } from '../helpers/ws-server.js';

const ESC = '\x1b[';

/** What a server-side socket saw: messages and the close code it received. */
interface Seen {
  readonly messages: string[];
  readonly closed: Promise<number>;
}

function watch(socket: WsSocket): Seen {
  const messages: string[] = [];
  socket.on('message', (data) => messages.push(data.toString()));
  return { messages, closed: new Promise((resolve) => socket.on('close', (code) => resolve(code))) };
}

describe('lomond CLI (in-process)', () => {
  let server: LocalWsServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  describe('--demo', () => {
    it('greets, echoes the demo lines and piped stdin, and exits 0 after closing with 1000', async () => {
      const run = runCli(['--demo'], { stdin: ['typed line'] });
      await expect(run.done).resolves.toBe(0);
      expect(run.stdout.lines).toEqual([`< ${DEMO_GREETING}`, ...DEMO_LINES.map((line) => `< ${line}`), '< typed line']);
      expect(run.stderr.lines[0]).toMatch(/^Connecting\(url='ws:\/\/127\.0\.0\.1:\d+\/'\)$/);
      expect(run.stderr.lines.slice(-2)).toEqual(["Closed(code=1000, reason='goodbye')", "Disconnected(reason='closed', graceful=true)"]);
      expect(run.stderr.output).not.toContain('Poll()');
    });

    it('on a terminal, shows what it sends as "> text" and reads no stdin', async () => {
      const run = runCli(['--demo'], { stdin: 'open', io: { isTTY: { stdin: true, stdout: true, stderr: true }, env: { NO_COLOR: '1' } } });
      await expect(run.done).resolves.toBe(0);
      expect(run.stdout.lines.filter((line) => line.startsWith('>'))).toEqual(DEMO_LINES.map((line) => `> ${line}`));
      expect(run.stdout.lines.filter((line) => line.startsWith('<'))).toHaveLength(DEMO_LINES.length + 1);
    });
  });

  describe('stdin', () => {
    it('sends each line, closes with 1000 at its end, and keeps stdout for messages and stderr for events', async () => {
      server = await startWsServer();
      const seen = server.nextConnection().then(watch);
      const run = runCli([server.url, '--ping-rate', '0'], { stdin: ['one', 'two'] });
      await expect(run.done).resolves.toBe(0);
      expect((await seen).messages).toEqual(['one', 'two']);
      await expect((await seen).closed).resolves.toBe(1000);
      expect(run.stdout.lines).toEqual(['< one', '< two']);
      expect(run.stderr.lines).toEqual([
        `Connecting(url='${server.url}')`,
        `Connected(url='${server.url}', proxy=null)`,
        'Ready(protocol=null, extensions=[])',
        "Closed(code=1000, reason='goodbye')",
        "Disconnected(reason='closed', graceful=true)",
      ]);
    });

    it('holds lines typed before ready and sends them in order once connected', async () => {
      server = await startWsServer();
      const seen = server.nextConnection().then(watch);
      const run = runCli([server.url], { stdin: 'open' });
      const stdin = run.stdin as NodeJS.WritableStream;
      stdin.write('early 1\nearly 2\n');
      await run.stderr.until('Ready(');
      stdin.write('late\n');
      await run.stdout.until('< late');
      stdin.end();
      await expect(run.done).resolves.toBe(0);
      expect((await seen).messages).toEqual(['early 1', 'early 2', 'late']);
    });

    it('with -w, waits that long after the end of stdin before closing', async () => {
      server = await startWsServer({}, (socket) => socket.on('message', () => setImmediate(() => socket.send('late answer'))));
      const run = runCli([server.url, '-w', '0.3'], { stdin: ['question'] });
      await expect(run.done).resolves.toBe(0);
      expect(run.stdout.lines).toEqual(['< late answer']);
    });
  });

  describe('-x and -w', () => {
    it('sends each -x message once ready, then closes after -w seconds, without reading stdin', async () => {
      server = await startWsServer();
      const seen = server.nextConnection().then(watch);
      const run = runCli([server.url, '-x', 'one', '--execute', 'two', '-w', '0.25'], { stdin: 'open' });
      await run.stderr.until('Ready(');
      const ready = performance.now();
      await expect(run.done).resolves.toBe(0);
      expect(performance.now() - ready).toBeGreaterThanOrEqual(200);
      expect((await seen).messages).toEqual(['one', 'two']);
      await expect((await seen).closed).resolves.toBe(1000);
      expect(run.stdout.lines).toEqual(['< one', '< two']);
    });

    it('waits 2 s by default', async () => {
      server = await startWsServer();
      const run = runCli([server.url, '-x', 'ping?']);
      await run.stdout.until('< ping?');
      const echoed = performance.now();
      await expect(run.done).resolves.toBe(0);
      expect(performance.now() - echoed).toBeGreaterThan(1500);
    });
  });

  describe('-n (listen only)', () => {
    it('does not close when stdin is at its end: the server closes', async () => {
      server = await startWsServer({}, (socket) => {
        socket.send('news');
        socket.close(1001, 'shutting down');
      });
      const run = runCli([server.url, '-n']);
      await expect(run.done).resolves.toBe(0);
      expect(run.stdout.lines).toEqual(['< news']);
      expect(run.stderr.output).toContain("Closing(code=1001, reason='shutting down')");
    });

    it('with -w, listens that long, then closes with 1000', async () => {
      server = await startWsServer({}, (socket) => socket.send('news'));
      const seen = server.nextConnection().then(watch);
      const run = runCli([server.url, '-n', '-w', '0.2']);
      await expect(run.done).resolves.toBe(0);
      await expect((await seen).closed).resolves.toBe(1000);
      expect(run.stdout.lines).toEqual(['< news']);
    });
  });

  describe('exit codes', () => {
    it('1 when the server closes with another code, which stderr names', async () => {
      server = await startWsServer({}, (socket) => socket.close(4001, 'auth expired'));
      const run = runCli([server.url], { stdin: 'open' });
      await expect(run.done).resolves.toBe(1);
      expect(run.stdout.output).toBe('');
      expect(run.stderr.lines.slice(-1)).toEqual(['lomond: the server closed with code 4001 (auth expired)']);
    });

    it('1 when the connection fails, with the reason and a hint on stderr only', async () => {
      const closed = createNetServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const run = runCli([`ws://127.0.0.1:${port}/`]);
      await expect(run.done).resolves.toBe(1);
      expect(run.stdout.output).toBe('');
      expect(run.stderr.lines).toEqual([
        `Connecting(url='ws://127.0.0.1:${port}/')`,
        `ConnectFail(reason='connect ECONNREFUSED 127.0.0.1:${port}')`,
        `lomond: could not connect: connect ECONNREFUSED 127.0.0.1:${port} (nothing is listening there)`,
      ]);
    });

    it('1 when the upgrade is refused', async () => {
      server = await startWsServer();
      server.refuseWith(403);
      const run = runCli([server.url]);
      await expect(run.done).resolves.toBe(1);
      expect(run.stderr.output).toMatch(/^Rejected\(response=Response\(403, 'Refused'\)/m);
      expect(run.stderr.lines.at(-1)).toMatch(/^lomond: the server refused the upgrade: /);
    });

    it('1 when the connection drops', async () => {
      server = await startWsServer({}, (socket) => socket.terminate());
      const run = runCli([server.url], { stdin: 'open' });
      await expect(run.done).resolves.toBe(1);
      expect(run.stderr.lines.at(-1)).toMatch(/^lomond: connection lost: /);
    });

    it('2 for usage errors, in one line on stderr', async () => {
      const cases: Array<[string[], string]> = [
        [['not a url'], 'lomond: invalid url "not a url" (a ws:// or wss:// URL is needed)\n'],
        [['ws://x/', '--ping-rate', '1000', '--ping-timeout', '500'], 'lomond: --ping-timeout 500 must be greater than --ping-rate 1000\n'],
        [['ws://x/', '--connect-timeout', '0'], 'lomond: --connect-timeout must be a finite number >= 1 and <= 2147483647, got 0\n'],
        [['ws://x/', '-H', 'Bad Name: x'], expect.stringMatching(/^lomond: invalid header name "Bad Name".*\n$/) as unknown as string],
        [['wss://x/', '--ca', '/nonexistent/ca.pem'], "lomond: cannot read --ca file '/nonexistent/ca.pem': ENOENT\n"],
      ];
      for (const [argv, message] of cases) {
        const run = runCli(argv);
        await expect(run.done).resolves.toBe(2);
        expect([run.stdout.output, run.stderr.output]).toEqual(['', message]);
      }
    });
  });

  describe('SIGINT', () => {
    it('once: closes with 1000 (the server sees it) and exits 130', async () => {
      server = await startWsServer();
      const seen = server.nextConnection().then(watch);
      const run = runCli([server.url, '-n']);
      await run.stderr.until('Ready(');
      run.signals.emit('SIGINT');
      await expect(run.done).resolves.toBe(130);
      await expect((await seen).closed).resolves.toBe(1000);
      expect(run.stderr.output).toContain("Closed(code=1000, reason='goodbye')");
      expect(run.stderr.output).not.toContain('lomond:');
    });

    it('SIGTERM: closes with 1001 "going away" and exits 143', async () => {
      server = await startWsServer();
      const seen = server.nextConnection().then(watch);
      const run = runCli([server.url, '-n']);
      await run.stderr.until('Ready(');
      run.signals.emit('SIGTERM');
      await expect(run.done).resolves.toBe(143);
      await expect((await seen).closed).resolves.toBe(1001);
    });

    it('twice: exits at once, without waiting for the close handshake', async () => {
      server = await startWsServer();
      const run = runCli([server.url, '-n']);
      await run.stderr.until('Ready(');
      run.signals.emit('SIGINT');
      run.signals.emit('SIGINT');
      await expect(run.done).resolves.toBe(130);
      expect(run.stderr.output).not.toContain('Closed(');
    });

    it('while connecting: exits 130 at once', async () => {
      const sockets: Socket[] = [];
      const silent = createNetServer((socket: Socket) => sockets.push(socket.on('error', () => undefined)));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const run = runCli([`ws://127.0.0.1:${(silent.address() as AddressInfo).port}/`]);
        await run.stderr.until('Connected(');
        run.signals.emit('SIGINT');
        await expect(run.done).resolves.toBe(130);
      } finally {
        // The library leaves a socket it was unsubscribed from during the handshake open (see the report): the bin exits.
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });
  });

  describe('--persist', () => {
    it('stdin EOF (Ctrl-D) closes, and the CLI exits 0 after that one connection', async () => {
      server = await startWsServer();
      let connections = 0;
      // Reconnecting after the app's own close would be the bug: fail at the second connection instead of hanging.
      const reconnected = new Promise<never>((_, reject) =>
        server!.wss.on('connection', () => {
          if (++connections > 1) reject(new Error('the CLI reconnected after its own close'));
        }),
      );
      const run = runCli([server.url, '--persist', '--ping-rate', '0'], { stdin: ['one'] });
      await expect(Promise.race([run.done, reconnected])).resolves.toBe(0);
      expect(connections).toBe(1);
      expect(run.stderr.output).not.toContain('BackOff(');
      expect(run.stderr.lines.slice(-2)).toEqual(["Closed(code=1000, reason='goodbye')", "Disconnected(reason='closed', graceful=true)"]);
    });

    it('SIGINT while waiting to reconnect ends the loop at once with 130', async () => {
      const run = runCli(['ws://127.0.0.1:1/', '--persist'], { stdin: 'open' });
      await run.stderr.until('BackOff(');
      run.signals.emit('SIGINT');
      await expect(run.done).resolves.toBe(130);
      expect(run.stderr.output).toMatch(/BackOff\(delay=\d+, attempt=1\)/);
    });

    it('Ctrl-D while waiting to reconnect ends the loop, with the last attempt deciding the status', async () => {
      const run = runCli(['ws://127.0.0.1:1/', '--persist'], { stdin: 'open' });
      await run.stderr.until('BackOff(');
      (run.stdin as NodeJS.WritableStream).end();
      await expect(run.done).resolves.toBe(1);
      expect(run.stderr.lines.at(-1)).toMatch(/^lomond: could not connect: /);
    });
  });

  describe('output', () => {
    it('--json prints one JSON object per event on stdout and nothing on stderr', async () => {
      server = await startWsServer({}, (socket) => socket.send(Buffer.from([0, 255]), { binary: true }));
      const run = runCli([server.url, '--json', '-n', '-w', '0.1']);
      await expect(run.done).resolves.toBe(0);
      expect(run.stderr.output).toBe('');
      const parsed = run.stdout.lines.map((line) => JSON.parse(line) as { name: string; data?: string });
      expect(parsed.map((event) => event.name)).toEqual(['connecting', 'connected', 'ready', 'binary', 'closed', 'disconnected']);
      expect(parsed[3]!.data).toBe('00ff');
    });

    it('shows binary messages as hex, or base64 / utf8 when asked', async () => {
      server = await startWsServer({}, (socket) => socket.send(Buffer.from('hé'), { binary: true }));
      for (const [format, shown] of [['hex', '< 68c3a9'], ['base64', '< aMOp'], ['utf8', '< hé']]) {
        const run = runCli([server.url, '-n', '-w', '0', '--binary-format', format!]);
        await expect(run.done).resolves.toBe(0);
        expect(run.stdout.lines).toEqual([shown]);
      }
    });

    it('-v also shows pings, pongs with their round trip, and polls', async () => {
      server = await startWsServer();
      const run = runCli([server.url, '-v', '--ping-rate', '60000'], { stdin: 'open' });
      await run.stderr.until(/Pong\(data=<\d+ bytes?>, rtt=\d+\)/);
      (run.stdin as NodeJS.WritableStream).end();
      await expect(run.done).resolves.toBe(0);
      expect(run.stderr.output).toContain('Poll()');
    });

    it('hides pings, pongs and polls without -v', async () => {
      server = await startWsServer({}, (socket) => socket.ping('hi'));
      const run = runCli([server.url, '--ping-rate', '60000'], { stdin: 'open' });
      const pong = once(server.wss, 'connection').then(([socket]) => once(socket as WsSocket, 'pong'));
      await pong;
      (run.stdin as NodeJS.WritableStream).end();
      await expect(run.done).resolves.toBe(0);
      expect(run.stderr.output).not.toMatch(/Ping\(|Pong\(|Poll\(/);
    });

    it('on a terminal: coloured markers, "> text" echoes, dim events and red errors', async () => {
      server = await startWsServer({}, (socket) => socket.on('message', () => socket.close(4000, 'no')));
      const run = runCli([server.url, '-x', 'hi'], { io: { isTTY: { stdin: false, stdout: true, stderr: true } } });
      await expect(run.done).resolves.toBe(1);
      expect(run.stdout.output).toContain(`${ESC}1;32m>${ESC}22;39m hi\n`);
      expect(run.stderr.output).toContain(`${ESC}2mConnecting(url='${server.url}')${ESC}22m\n`);
      expect(run.stderr.output).toContain(`${ESC}31mClosing(code=4000, reason='no')${ESC}39m\n`);
      expect(run.stderr.output).toContain(`${ESC}31mlomond: the server closed with code 4000 (no)${ESC}39m\n`);
    });

    it('on a terminal with NO_COLOR: the same lines, no escape sequences', async () => {
      server = await startWsServer();
      const run = runCli([server.url, '-x', 'hi', '-w', '0'], { io: { isTTY: { stdin: false, stdout: true, stderr: true }, env: { NO_COLOR: '1' } } });
      await expect(run.done).resolves.toBe(0);
      expect(run.stdout.output).not.toContain(ESC);
      expect(run.stderr.output).not.toContain(ESC);
      expect(run.stdout.lines[0]).toBe('> hi');
    });

    it('escapes control characters from the server on a terminal', async () => {
      server = await startWsServer({}, (socket) => socket.send('\x1b]0;pwned\x07\x1b[2J'));
      const run = runCli([server.url, '-n', '-w', '0'], { io: { isTTY: { stdout: true }, env: { NO_COLOR: '1' } } });
      await expect(run.done).resolves.toBe(0);
      expect(run.stdout.lines).toEqual(['< \\x1b]0;pwned\\x07\\x1b[2J']);
    });

    it('closes with 1001 and exits 0 when stdout goes away (EPIPE)', async () => {
      server = await startWsServer({}, (socket) => socket.send('first'));
      const seen = server.nextConnection().then(watch);
      const stdout = new Writable({
        write: (_chunk, _encoding, callback) => callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })),
      });
      const run = runCli([server.url, '-n'], { io: { stdout } });
      await expect(run.done).resolves.toBe(0);
      await expect((await seen).closed).resolves.toBe(1001);
    });
  });

  describe('request options', () => {
    it('-H and -s reach the server; the chosen protocol is shown', async () => {
      server = await startWsServer({ handleProtocols: (protocols) => (protocols.has('chat') ? 'chat' : false) });
      const request = once(server.wss, 'connection').then(([, req]) => req as { headers: Record<string, string> });
      const run = runCli([server.url, '-H', 'X-Token: abc', '-s', 'chat', '-s', 'v2', '-x', 'x', '-w', '0']);
      await expect(run.done).resolves.toBe(0);
      expect((await request).headers['x-token']).toBe('abc');
      expect((await request).headers['sec-websocket-protocol']).toBe('chat, v2');
      expect(run.stderr.output).toContain("Ready(protocol='chat', extensions=[])");
    });

    it('--compress negotiates permessage-deflate', async () => {
      server = await startWsServer({ perMessageDeflate: true });
      const run = runCli([server.url, '--compress', '-x', 'x'.repeat(2000), '-w', '0']);
      await expect(run.done).resolves.toBe(0);
      expect(run.stderr.output).toContain("extensions=['permessage-deflate']");
      expect(run.stdout.lines).toEqual([`< ${'x'.repeat(2000)}`]);
    });

    it('--proxy tunnels through an http:// proxy', async () => {
      server = await startWsServer();
      const proxy = await startProxy();
      try {
        const run = runCli([server.url, '--proxy', proxy.url(), '-x', 'via proxy', '-w', '0']);
        await expect(run.done).resolves.toBe(0);
        expect(proxy.connects.map((c) => c.target)).toEqual([`127.0.0.1:${server.port}`]);
        expect(run.stderr.output).toContain(`proxy='${proxy.url()}'`);
      } finally {
        await proxy.close();
      }
    });

    describe('TLS', () => {
      const fixtures = tlsFixtures();
      const dir = mkdtempSync(join(tmpdir(), 'lomond-cli-ca-'));
      const caFile = join(dir, 'ca.pem');
      writeFileSync(caFile, fixtures.ca);
      const https = createHttpsServer({ cert: fixtures.cert, key: fixtures.key });
      const wss = new WebSocketServer({ server: https });
      wss.on('connection', (socket) => socket.on('message', (data) => socket.send(data.toString())));
      let url = '';
      beforeAll(async () => {
        await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
        url = `wss://127.0.0.1:${(https.address() as AddressInfo).port}/`;
      });
      afterAll(async () => {
        for (const client of wss.clients) client.terminate();
        await new Promise<void>((resolve) => https.close(() => resolve()));
        rmSync(dir, { recursive: true, force: true });
      });

      it('--ca trusts a private certificate authority', async () => {
        const run = runCli([url, '--ca', caFile, '-x', 'secure', '-w', '0']);
        await expect(run.done).resolves.toBe(0);
        expect(run.stdout.lines).toEqual(['< secure']);
      });

      it('without --ca the certificate is refused, and the hint names --ca and --insecure', async () => {
        const run = runCli([url, '-x', 'secure']);
        await expect(run.done).resolves.toBe(1);
        // Node 24 adds advice about --use-system-ca to its own text.
        expect(run.stderr.lines.at(-1)).toMatch(
          /^lomond: could not connect: unable to verify the first certificate.* \(--ca FILE trusts the server's certificate authority; --insecure skips the check\)$/,
        );
      });

      it('--insecure connects anyway, after a loud warning', async () => {
        const run = runCli([url, '--insecure', '-x', 'unsafe', '-w', '0']);
        await expect(run.done).resolves.toBe(0);
        expect(run.stderr.lines[0]).toMatch(/^lomond: WARNING: --insecure: the server's certificate is not verified/);
        expect(run.stdout.lines).toEqual(['< unsafe']);
      });

      it('wss:// to a plain server says so', async () => {
        server = await startWsServer();
        const run = runCli([`wss://127.0.0.1:${server.port}/`]);
        await expect(run.done).resolves.toBe(1);
        expect(run.stderr.lines.at(-1)).toBe('lomond: could not connect: TLS error: wrong version number (does the server speak TLS on that port? a plain server needs ws://)');
      });
    });
  });

  it('--version prints the package version, --help the usage, on stdout', async () => {
    const version = runCli(['--version']);
    await expect(version.done).resolves.toBe(0);
    expect(version.stdout.output).toBe(`lomond ${VERSION}\n`);
    const help = runCli(['-h']);
    await expect(help.done).resolves.toBe(0);
    expect(help.stdout.output).toMatch(/^usage: lomond <url> /);
  });
});
