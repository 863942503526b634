/**
 * Terminal colours for the CLI: ANSI SGR sequences on a terminal, nothing
 * when the stream is not a TTY, when NO_COLOR is set (https://no-color.org:
 * "present and not an empty string") or when TERM is `dumb`.
 */

/** One way to colour a piece of text. */
export type Paint = (text: string) => string;

/** The CLI's palette. */
export interface Style {
  /** True when the palette adds escape sequences. */
  readonly enabled: boolean;
  /** Routine events (connecting, ready, closed 1000…). */
  readonly dim: Paint;
  /** Failures: connect_fail, rejected, protocol errors, abnormal closes, the final error line. */
  readonly error: Paint;
  /** Warnings (--insecure) and waits (back_off). */
  readonly warn: Paint;
  /** The `<` marker of a received message. */
  readonly received: Paint;
  /** The `>` marker of a sent message (and the prompt). */
  readonly sent: Paint;
}

const sgr =
  (open: string, close: string): Paint =>
  (text) =>
    `\x1b[${open}m${text}\x1b[${close}m`;
const plain: Paint = (text) => text;

const COLOURS: Style = {
  enabled: true,
  dim: sgr('2', '22'),
  error: sgr('31', '39'),
  warn: sgr('33', '39'),
  received: sgr('1;36', '22;39'),
  sent: sgr('1;32', '22;39'),
};
const PLAIN: Style = { enabled: false, dim: plain, error: plain, warn: plain, received: plain, sent: plain };

/** True when output to a stream that `isTTY` describes should be coloured under `env`. */
export function wantsColour(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  if (!isTTY) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb';
}

/** The palette for a stream: colours when {@link wantsColour}, else plain text. */
export function styleFor(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): Style {
  return wantsColour(isTTY, env) ? COLOURS : PLAIN;
}
