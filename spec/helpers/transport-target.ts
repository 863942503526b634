/**
 * Transport test helpers: a TransportTarget with a hand-built upgrade request
 * (independent of the core handshake module), and a recorder for a
 * transport stream's events.
 */
import type { Observable, Subscription } from 'rxjs';
import type { TransportEvent, TransportTarget } from '../../lib/transports/transport.js';

/** The RFC 6455 §1.3 sample key. */
export const SAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/**
 * A target for `url` whose request is a minimal upgrade request built by hand.
 *
 * @param extra - tls, proxies, agent…; `proxies` defaults to `{}` so the environment never interferes
 */
export function targetFor(url: string, extra: Partial<Omit<TransportTarget, 'url' | 'request'>> = {}): TransportTarget {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'wss:';
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  const port = parsed.port === '' ? (secure ? 443 : 80) : Number(parsed.port);
  const path = `${parsed.pathname}${parsed.search}`;
  const headers: Array<readonly [string, string]> = [
    ['Host', parsed.host],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', SAMPLE_KEY],
    ['Sec-WebSocket-Version', '13'],
  ];
  const head = `GET ${path} HTTP/1.1\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
  return { url: parsed, secure, host, port, request: { path, headers, bytes: Buffer.from(head, 'latin1') }, proxies: {}, ...extra };
}

/** What a transport stream did so far. */
export interface Recording {
  readonly events: TransportEvent[];
  /** The event types in order, `data` chunks merged into one entry per run. */
  types(): string[];
  /** All `data` bytes received, as latin1 text. */
  text(): string;
  /** Resolves when the stream completes (with null) or errors (with the error). */
  readonly done: Promise<Error | null>;
  readonly subscription: Subscription;
  /** Resolves once `predicate` holds for the recording (checked on each event). */
  until(predicate: (recording: Recording) => boolean): Promise<void>;
}

/** Subscribes to `stream$` and records everything it emits (a `transient` chunk as a copy made at once). */
export function record(stream$: Observable<TransportEvent>): Recording {
  const events: TransportEvent[] = [];
  const waiters: Array<() => void> = [];
  let settle!: (result: Error | null) => void;
  const done = new Promise<Error | null>((resolve) => (settle = resolve));
  const recording: Recording = {
    events,
    types: () => events.map((event) => event.type).filter((type, i, all) => type !== 'data' || all[i - 1] !== 'data'),
    text: () => Buffer.concat(events.flatMap((event) => (event.type === 'data' ? [event.chunk] : []))).toString('latin1'),
    done,
    subscription: null as unknown as Subscription,
    until: (predicate) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (predicate(recording)) resolve();
          else waiters.push(check);
        };
        check();
      }),
  };
  const wake = (): void => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  (recording as { subscription: Subscription }).subscription = stream$.subscribe({
    next: (event) => {
      // A transient chunk is reused after this call, as the transport says: keep a copy (marked still).
      events.push(event.type === 'data' && event.transient === true ? { ...event, chunk: Buffer.from(event.chunk) } : event);
      wake();
    },
    error: (error: Error) => settle(error),
    complete: () => settle(null),
  });
  return recording;
}
