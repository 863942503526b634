/**
 * The `lomond` executable (lib/cli/bin.ts) as a process, built once for this
 * file (spec/helpers/cli.ts), against local servers on 127.0.0.1: exit
 * codes, what goes to stdout and what to stderr, a real SIGINT.
 * (pack-check runs the packed bin from the tarball.)
 */
import type { WebSocket as WsSocket } from 'ws';
import { VERSION } from '../../lib/core/version.js';
import { BuiltCli } from '../helpers/cli.js';
import { startWsServer, type LocalWsServer } from '../helpers/ws-server.js';

describe('lomond bin', () => {
  let cli: BuiltCli;
  let server: LocalWsServer | null = null;
  beforeAll(() => {
    cli = new BuiltCli();
  });
  afterAll(() => cli.remove());
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('--version prints the package version on stdout and exits 0', async () => {
    const run = cli.spawn(['-V']);
    await expect(run.exit).resolves.toBe(0);
    expect([run.stdout.output, run.stderr.output]).toEqual([`lomond ${VERSION}\n`, '']);
  });

  it('--help prints the usage on stdout and exits 0', async () => {
    const run = cli.spawn(['--help']);
    await expect(run.exit).resolves.toBe(0);
    expect(run.stdout.output).toMatch(/^usage: lomond <url> /);
    expect(run.stderr.output).toBe('');
  });

  it.each([
    [['not a url'], 'lomond: invalid url "not a url" (a ws:// or wss:// URL is needed)\n'],
    [['ws://'], 'lomond: invalid url "ws://" (a ws:// or wss:// URL is needed)\n'],
    [['--bogus'], 'lomond: unknown option --bogus\n'],
  ])('exits 2 for %j with one line on stderr and no stack trace', async (args, message) => {
    const run = cli.spawn(args);
    await expect(run.exit).resolves.toBe(2);
    expect([run.stdout.output, run.stderr.output]).toEqual(['', message]);
  });

  it('exits 1 when it cannot connect, saying why on stderr only', async () => {
    const run = cli.spawn(['ws://127.0.0.1:1/']);
    await expect(run.exit).resolves.toBe(1);
    expect(run.stdout.output).toBe('');
    expect(run.stderr.lines.at(-1)).toBe('lomond: could not connect: connect ECONNREFUSED 127.0.0.1:1 (nothing is listening there)');
  });

  it('exits 1 when the server closes with 4001, printing the code on stderr', async () => {
    server = await startWsServer({}, (socket) => {
      socket.send('bye');
      socket.close(4001, 'auth expired');
    });
    const run = cli.spawn([server.url]);
    await expect(run.exit).resolves.toBe(1);
    expect(run.stdout.output).toBe('< bye\n');
    expect(run.stderr.lines.at(-1)).toBe('lomond: the server closed with code 4001 (auth expired)');
  });

  it('-x sends, waits -w seconds, closes with 1000 and exits 0', async () => {
    server = await startWsServer();
    const seen = server.nextConnection().then((socket: WsSocket) => {
      const messages: string[] = [];
      socket.on('message', (data) => messages.push(data.toString()));
      return new Promise<[string[], number]>((resolve) => socket.on('close', (code) => resolve([messages, code])));
    });
    const run = cli.spawn([server.url, '-x', 'hello', '-w', '0.2']);
    await expect(run.exit).resolves.toBe(0);
    await expect(seen).resolves.toEqual([['hello'], 1000]);
    expect(run.stdout.output).toBe('< hello\n');
    expect(run.stderr.lines.slice(-2)).toEqual(["Closed(code=1000, reason='goodbye')", "Disconnected(reason='closed', graceful=true)"]);
  });

  it('SIGINT closes with 1000 (the server sees it) and exits 130', async () => {
    server = await startWsServer();
    const closeCode = server.nextConnection().then((socket: WsSocket) => new Promise<number>((resolve) => socket.on('close', (code) => resolve(code))));
    const run = cli.spawn([server.url, '-n']);
    await run.stderr.until('Ready(');
    run.child.kill('SIGINT');
    await expect(run.exit).resolves.toBe(130);
    await expect(closeCode).resolves.toBe(1000);
  });

  it('--demo talks to its embedded echo server and exits 0', async () => {
    const run = cli.spawn(['--demo']);
    run.child.stdin.end();
    await expect(run.exit).resolves.toBe(0);
    expect(run.stdout.lines).toEqual(['< Welcome to the lomond demo echo server', '< Hello from lomond!', '< Talk to your own server with: lomond ws://host:port/path']);
  });
});
