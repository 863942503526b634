/**
 * The CLI on a real terminal: util-linux `script` runs the built bin on a
 * pseudo-terminal (stdin, stdout and stderr all TTYs), the test types into
 * it. Checks the interactive prompt, the `<` marker, the colours, Ctrl-D,
 * and NO_COLOR. Skipped, saying so, where `script` is missing.
 */
import { spawnSync } from 'node:child_process';
import { startDemoServer, type DemoServer } from '../../lib/cli/demo-server.js';
import { BuiltCli, type SpawnedCli } from '../helpers/cli.js';

const SGR = /\x1b\[[0-9;]*m/;
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout?.includes('util-linux') === true;
const TITLE = hasScript ? 'lomond on a terminal (script -qfec)' : 'lomond on a terminal (skipped: no util-linux `script` on PATH)';

/** Quotes a word for `sh -c`. */
const sh = (word: string): string => `'${word.replace(/'/g, "'\\''")}'`;

(hasScript ? describe : describe.skip)(TITLE, () => {
  let cli: BuiltCli;
  let server: DemoServer;
  beforeAll(async () => {
    cli = new BuiltCli();
    server = await startDemoServer();
  });
  afterAll(async () => {
    cli.remove();
    await server.close();
  });

  /** Runs the bin under `script` with `env`; the test types into `run.child.stdin`. */
  function onTerminal(args: string[], env: Record<string, string> = {}): SpawnedCli {
    const command = [process.execPath, cli.path, ...args].map(sh).join(' ');
    return cli.spawnCommand('script', ['-qfec', command, '/dev/null'], { TERM: 'xterm-256color', ...env });
  }

  it('shows a prompt, echoes what is typed, marks and colours what comes back, and Ctrl-D closes with exit 0', async () => {
    const run = onTerminal([server.url]);
    await run.stdout.until('Ready(');
    run.child.stdin.write('hello\r');
    await run.stdout.until('\x1b[1;36m<\x1b[22;39m hello');
    run.child.stdin.write('\x04');
    await expect(run.exit).resolves.toBe(0);
    const screen = run.stdout.output;
    expect(screen).toContain('\x1b[1;32m>\x1b[22;39m ');
    expect(screen).toMatch(/\x1b\[1;32m>\x1b\[22;39m (\x1b\[\d+G)?hello/);
    expect(screen).toContain(`\x1b[2mConnecting(url='${server.url}')\x1b[22m`);
    expect(screen).toContain("\x1b[2mClosed(code=1000, reason='goodbye')\x1b[22m");
  });

  it('Ctrl-C at the prompt closes with 1000 and exits 130', async () => {
    const run = onTerminal([server.url]);
    await run.stdout.until('Ready(');
    run.child.stdin.write('\x03');
    await expect(run.exit).resolves.toBe(130);
    expect(run.stdout.output).toContain("Closed(code=1000, reason='goodbye')");
  });

  it('with NO_COLOR: markers and events, no colour', async () => {
    const run = onTerminal([server.url, '-x', 'plain', '-w', '0'], { NO_COLOR: '1' });
    await expect(run.exit).resolves.toBe(0);
    expect(run.stdout.output).toContain('> plain');
    expect(run.stdout.output).toContain('< plain');
    expect(run.stdout.output).not.toMatch(SGR);
  });
});
