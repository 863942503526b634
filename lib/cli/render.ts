/**
 * What the CLI prints for each event: received messages as `< text` (binary
 * payloads in hex, base64 or UTF-8), other events as formatEvent's one-line
 * reprs coloured by severity, and, for `--json`, one JSON object per event.
 * Pure functions of the event: no streams here.
 */
import { Response } from '../core/response.js';
import type { Binary, Text, WebSocketEvent } from '../events/events.js';
import { formatEvent } from '../events/format.js';
import type { BinaryFormat } from './args.js';
import { readableReason } from './reasons.js';
import type { Style } from './style.js';

/** Close codes that end a connection cleanly (RFC 6455 §7.4.1: 1000 "normal closure", 1001 "going away"). */
export function isCleanCode(code: number): boolean {
  return code === 1000 || code === 1001;
}

/** A binary payload as text in `format`. */
export function encodeBinary(data: Uint8Array, format: BinaryFormat): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString(format);
}

/**
 * Control characters (C0 but tab and newline, DEL, C1) made visible as `\xNN`: a server must not be able
 * to move the cursor, retitle the window or clear the screen of the terminal that shows its messages.
 * A single character class, linear in the text.
 */
export function visible(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** True for the events only `-v` shows: pings, pongs and polls. */
export function isChatter(event: WebSocketEvent): boolean {
  return event.name === 'ping' || event.name === 'pong' || event.name === 'poll';
}

/**
 * The stdout line of a received message: `< text`, or `< 0a1b…` for binary. On a terminal
 * (`terminal` true) control characters are shown escaped; elsewhere the text is written as received.
 */
export function messageLine(event: Text | Binary, format: BinaryFormat, style: Style, terminal: boolean): string {
  const body = event.name === 'text' ? event.text : encodeBinary(event.data, format);
  return `${style.received('<')} ${terminal ? visible(body) : body}`;
}

/** The stdout line of a message we sent (shown on a terminal only). */
export function sentLine(text: string, style: Style): string {
  return `${style.sent('>')} ${visible(text)}`;
}

/** True for the events that tell of a failure (shown in the error colour). */
function isFailure(event: WebSocketEvent): boolean {
  switch (event.name) {
    case 'connect_fail':
    case 'rejected':
    case 'protocol_error':
    case 'unresponsive':
      return true;
    case 'closing':
    case 'closed':
      return !isCleanCode(event.code);
    case 'disconnected':
      return !event.graceful;
    default:
      return false;
  }
}

/** The stderr line of an event: formatEvent's repr (a connect_fail's OpenSSL text shortened), coloured by severity. */
export function eventLine(event: WebSocketEvent, style: Style): string {
  const line = formatEvent(event.name === 'connect_fail' ? { ...event, reason: readableReason(event.reason) } : event);
  if (isFailure(event)) return style.error(line);
  return event.name === 'back_off' ? style.warn(line) : style.dim(line);
}

/**
 * The `--json` line of an event: its fields as SPEC names them, byte payloads encoded in `format`,
 * `extensions` as an array and a `response` as `{ statusCode, status, headers }`.
 *
 * @example
 * ```ts
 * eventJson(events.closed(1000, 'bye', 17), 'hex'); // '{"name":"closed","code":1000,"reason":"bye","receivedTime":17}'
 * ```
 */
export function eventJson(event: WebSocketEvent, format: BinaryFormat): string {
  return JSON.stringify(event, function (this: Record<string, unknown>, key: string, value: unknown) {
    // JSON.stringify has already applied Buffer's toJSON to `value`: the holder still has the bytes.
    const raw = this[key];
    if (raw instanceof Uint8Array) return encodeBinary(raw, format);
    if (value instanceof Set) return [...value];
    if (value instanceof Response) return { statusCode: value.statusCode, status: value.status, headers: value.headers };
    return value;
  });
}
