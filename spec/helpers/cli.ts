/**
 * Helpers to run the `lomond` CLI in tests: in-process through `main(argv,
 * io)` with collecting streams and an EventEmitter for SIGINT, or spawned
 * from a bundle of lib/cli/bin.ts that esbuild builds once per test file
 * (about a tenth of a second, then plain `node` starts it; tsx would
 * transpile every file at every spawn). Every wait is for an event: output
 * that matches, a process that exits; never a fixed sleep.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { main } from '../../lib/cli/main.js';
import type { CliIoInput } from '../../lib/cli/io.js';

const ROOT = join(__dirname, '..', '..');

/** A Writable that keeps what was written and tells waiters when it matches. */
export class Collector extends Writable {
  private text = '';
  private readonly waiters: Array<{ test: (text: string) => boolean; resolve: () => void }> = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.append(chunk.toString());
    callback();
  }

  /** Adds text as if written (for a child process's output). */
  append(text: string): void {
    this.text += text;
    for (const waiter of [...this.waiters]) {
      if (waiter.test(this.text)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  /** Everything written so far. */
  get output(): string {
    return this.text;
  }

  /** The lines written so far (without the final empty one). */
  get lines(): string[] {
    return this.text.split('\n').filter((line, i, all) => i < all.length - 1 || line !== '');
  }

  /** Resolves once the output contains `needle` (a string or a pattern). */
  until(needle: string | RegExp): Promise<void> {
    const test = (text: string): boolean => (typeof needle === 'string' ? text.includes(needle) : needle.test(text));
    if (test(this.text)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }
}

/** A CLI run in this process. */
export interface InProcessRun {
  readonly done: Promise<number>;
  readonly stdout: Collector;
  readonly stderr: Collector;
  /** Emit 'SIGINT' on it to interrupt the run. */
  readonly signals: EventEmitter;
  /** The stdin stream (a PassThrough when `stdin` was 'open': write lines, end() it for Ctrl-D). */
  readonly stdin: PassThrough | Readable;
}

/**
 * Runs `main(argv)` with collecting stdout/stderr, an empty environment (no proxy variables, no
 * NO_COLOR) unless `io.env` says otherwise, and stdin from `stdin`: lines (then EOF), or 'open' for a
 * stream the test writes and ends.
 */
export function runCli(argv: string[], options: { stdin?: string[] | 'open'; io?: CliIoInput } = {}): InProcessRun {
  const stdout = new Collector();
  const stderr = new Collector();
  const signals = new EventEmitter();
  const stdin = options.stdin === 'open' ? new PassThrough() : Readable.from((options.stdin ?? []).map((line) => `${line}\n`));
  const done = main(argv, { stdin, stdout, stderr, signals, env: {}, isTTY: { stdin: false, stdout: false, stderr: false }, ...options.io });
  return { done, stdout, stderr, signals, stdin };
}

/** Bundles lib/cli/bin.ts with esbuild into a temporary folder of the project (so rxjs resolves). */
export class BuiltCli {
  private readonly dir: string;
  /** The bundle's path. */
  readonly path: string;

  constructor() {
    mkdirSync(join(ROOT, '.tmp'), { recursive: true });
    this.dir = mkdtempSync(join(ROOT, '.tmp', 'cli-'));
    this.path = join(this.dir, 'lomond.cjs');
    const esbuild = require('esbuild') as typeof import('esbuild');
    esbuild.buildSync({
      entryPoints: [join(ROOT, 'lib', 'cli', 'bin.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      outfile: this.path,
      logLevel: 'error',
    });
  }

  /** Starts the CLI with `args`, stdio piped, NO_COLOR and proxy variables cleared unless `env` sets them. */
  spawn(args: string[], env: Record<string, string> = {}): SpawnedCli {
    return this.spawnCommand(process.execPath, [this.path, ...args], env);
  }

  /** Starts `command` (e.g. `script` around the CLI) in the same cleaned environment. */
  spawnCommand(command: string, args: string[], env: Record<string, string> = {}): SpawnedCli {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(no_color|force_color|(https?|all|no)_proxy)$/i.test(name)));
    return new SpawnedCli(spawn(command, args, { env: { ...clean, ...env }, stdio: 'pipe' }));
  }

  /** Removes the bundle. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A spawned CLI: its output as collectors, its exit as a promise. */
export class SpawnedCli {
  readonly stdout = new Collector();
  readonly stderr = new Collector();
  /** Resolves with the exit code (or the signal's name). */
  readonly exit: Promise<number | string>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => this.stdout.append(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => this.stderr.append(chunk.toString()));
    this.exit = new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? -1)));
  }
}
