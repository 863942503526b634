/**
 * The `lomond` executable entry (lib/cli/bin.ts) as a process: it passes the
 * arguments to main() and exits with its code. (pack-check runs the packed bin.)
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(__dirname, '..', '..', 'lib', 'cli', 'bin.ts');

/** Runs the bin through tsx under this Node, with no stdin. */
function lomond(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', BIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('lomond bin', () => {
  it('prints the usage on stdout and exits 0 for --help', () => {
    const { status, stdout, stderr } = lomond('--help');
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^usage: lomond <url> /);
    expect(status).toBe(0);
  });

  it('exits 2 with one error line before the usage for a bad argument', () => {
    const { status, stdout, stderr } = lomond('--bogus');
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe('lomond: unknown option --bogus');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(status).toBe(2);
  });
});
