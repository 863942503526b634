/**
 * The CLI's contact with the world, as one parameter of `main`: the three
 * streams, which of them are terminals, the environment, where SIGINT comes
 * from and the scheduler of every timer. The process provides each by
 * default; tests pass streams, an EventEmitter and their own environment to
 * run the CLI in-process exactly as spawned.
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';

/** Where SIGINT and SIGTERM come from (`process` by default, any EventEmitter in tests). */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

/** What `main` reads and writes; every field defaults to the process's own. */
export interface CliIo {
  /** Lines to send (default `process.stdin`). */
  stdin: NodeJS.ReadableStream;
  /** Received messages, `> ` echoes, `--json` lines, `--help` (default `process.stdout`). */
  stdout: NodeJS.WritableStream;
  /** Events, warnings and errors (default `process.stderr`). */
  stderr: NodeJS.WritableStream;
  /** Which streams are terminals (default: each stream's `isTTY`). */
  isTTY: { stdin: boolean; stdout: boolean; stderr: boolean };
  /** The environment (NO_COLOR, TERM, proxy variables; default `process.env`). */
  env: Readonly<Record<string, string | undefined>>;
  /** The source of SIGINT (default `process`). */
  signals: SignalSource;
  /** The scheduler of the CLI's and the connection's timers (default RxJS's asyncScheduler). */
  scheduler: SchedulerLike;
}

/** What a caller may give: any part of {@link CliIo}, `isTTY` per stream. */
export type CliIoInput = Partial<Omit<CliIo, 'isTTY'>> & { isTTY?: Partial<CliIo['isTTY']> };

const isTerminal = (stream: unknown): boolean => (stream as { isTTY?: boolean }).isTTY === true;

/** {@link CliIo} with the process's defaults filled in. */
export function resolveIo(io: CliIoInput = {}): CliIo {
  const stdin = io.stdin ?? process.stdin;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  return {
    stdin,
    stdout,
    stderr,
    isTTY: {
      stdin: io.isTTY?.stdin ?? isTerminal(stdin),
      stdout: io.isTTY?.stdout ?? isTerminal(stdout),
      stderr: io.isTTY?.stderr ?? isTerminal(stderr),
    },
    env: io.env ?? process.env,
    signals: io.signals ?? process,
    scheduler: io.scheduler ?? asyncScheduler,
  };
}
