/**
 * The CLI's output: lines to stdout (messages, echoes, --json) and to stderr
 * (events, warnings, errors), each stream with its own palette; around an
 * interactive prompt (stdin and stdout both terminals) a line is written
 * above the prompt and the user's half-typed input is redrawn after it.
 * stdout's backpressure is reported so that the caller can stop reading the
 * socket (memory grows with what the reader takes, not with what the server
 * sends); a closed stdout (EPIPE: `lomond … | head -1`) is reported once,
 * never thrown.
 */
import { clearLine, cursorTo, type Interface } from 'node:readline';
import type { CliIo } from './io.js';
import { styleFor, type Style } from './style.js';

/** Writes the CLI's lines; see the file's comment. */
export class Terminal {
  /** The palette of stdout (`<` and `>` markers). */
  readonly outStyle: Style;
  /** The palette of stderr (events, errors). */
  readonly errStyle: Style;
  /** The interactive readline whose prompt is on screen, or null. */
  private prompt: Interface | null = null;
  /** stdout failed (EPIPE or closed): nothing more is written to it. */
  private broken = false;
  private onBroken: (() => void) | null = null;

  constructor(private readonly io: CliIo) {
    this.outStyle = styleFor(io.isTTY.stdout, io.env);
    this.errStyle = styleFor(io.isTTY.stderr, io.env);
    io.stdout.on('error', this.stdoutFailed);
    // stderr has no one to tell: a failure there must just not crash the CLI.
    io.stderr.on('error', ignore);
  }

  /** Calls `listener` once when stdout can no longer be written (e.g. the reader of the pipe exited). */
  whenBroken(listener: () => void): void {
    this.onBroken = listener;
  }

  /** True when stdout can no longer be written. */
  get isBroken(): boolean {
    return this.broken;
  }

  /** Shows `readline`'s prompt and keeps it below every line written from now on; null takes it away. */
  setPrompt(readline: Interface | null): void {
    if (this.prompt !== null && readline === null) this.clearPromptLine();
    this.prompt = readline;
    readline?.prompt(true);
  }

  /** Shows the prompt again (after the user entered a line). */
  reprompt(): void {
    this.prompt?.prompt(true);
  }

  /**
   * Writes a line to stdout.
   *
   * @returns false when stdout's buffer is full: wait for {@link Terminal.whenDrained} before writing more
   */
  out(line: string): boolean {
    if (this.broken) return true;
    return this.around(() => this.io.stdout.write(`${line}\n`));
  }

  /** Writes a line to stderr. */
  err(line: string): void {
    this.around(() => this.io.stderr.write(`${line}\n`));
  }

  /** Calls `listener` once when stdout has room again. */
  whenDrained(listener: () => void): void {
    this.io.stdout.once('drain', listener);
  }

  /** Detaches from the streams. */
  dispose(): void {
    this.setPrompt(null);
    this.io.stdout.off('error', this.stdoutFailed);
    this.io.stderr.off('error', ignore);
  }

  private around(write: () => boolean): boolean {
    if (this.prompt === null) return write();
    this.clearPromptLine();
    const result = write();
    this.prompt.prompt(true);
    return result;
  }

  private clearPromptLine(): void {
    cursorTo(this.io.stdout, 0);
    clearLine(this.io.stdout, 0);
  }

  private readonly stdoutFailed = (): void => {
    if (this.broken) return;
    this.broken = true;
    this.onBroken?.();
  };
}

function ignore(): void {}
