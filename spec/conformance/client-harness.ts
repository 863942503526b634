/**
 * The client under test, driven like Autobahn's client harness: it connects
 * to a scripted server, echoes every text and binary message from its event
 * handler, answers pings automatically (autoPong), and runs until its stream
 * completes. Returns what both sides saw.
 */
import { performance } from 'node:perf_hooks';
import { lastValueFrom, tap, toArray, timeout } from 'rxjs';
import { Opcode } from '../../lib/core/opcode.js';
import type { WebSocketEvent } from '../../lib/events/events.js';
import type { SessionOptions, WebSocketOptions } from '../../lib/session/options.js';
import { WebSocket } from '../../lib/websocket.js';
import { ScriptedServer, type Script, type ServerLog, type TimedFrame } from './scripted-server.js';

/** A data message the client sent, reassembled from its frames. */
export interface SentMessage {
  readonly type: 'text' | 'binary';
  /** True when its first frame had RSV1 (permessage-deflate): `data` is still deflated. */
  readonly compressed: boolean;
  readonly data: Buffer;
}

/** What one case run produced. */
export interface ClientRun {
  /** The client's events, in order. */
  readonly events: WebSocketEvent[];
  /** The server's record of the connection. */
  readonly server: ServerLog;
  /** Data messages the client sent (its echoes), in order. */
  readonly messages: SentMessage[];
  /** Pong payloads the client sent, in order. */
  readonly pongs: Buffer[];
  /** The client's first close frame, or null when it sent none. */
  readonly closeFrame: TimedFrame | null;
  /** The code in that close frame: a number, `'empty'` for an empty payload, `'none'` without a close frame. */
  readonly closeCode: number | 'empty' | 'none';
  /** ms from the end of the handshake to the completion of the client's stream. */
  readonly duration: number;
  /** Errors thrown by send calls in the event handler (e.g. echoing while closing). */
  readonly sendErrors: string[];
}

/** How to run the client. */
export interface HarnessOptions {
  /** WebSocketOptions (maxPayload, maxMessageSize, compress…). */
  readonly ws?: WebSocketOptions;
  /** SessionOptions on top of the suite's defaults (pingRate 0, closeTimeout 1000). */
  readonly session?: SessionOptions;
  /** Called at `ready` (e.g. for a client-initiated close). */
  readonly onReady?: (ws: WebSocket) => void;
  /** Called with every event, before the echo (e.g. to send from the `closing` handler). */
  readonly onEvent?: (event: WebSocketEvent, ws: WebSocket) => void;
  /** Echo text/binary messages (default true). */
  readonly echo?: boolean;
  /** Guard: give up when no event came for this many ms (default 20000). */
  readonly guard?: number;
}

/** The suite's session defaults: no keepalive pings, a short close timeout. */
export const SESSION: SessionOptions = { pingRate: 0, poll: 600_000, closeTimeout: 1000, connectTimeout: 5000 };

/** Joins the data frames the client sent into messages. */
export function messagesOf(frames: readonly TimedFrame[]): SentMessage[] {
  const messages: SentMessage[] = [];
  let parts: Uint8Array[] = [];
  let first: TimedFrame | null = null;
  for (const f of frames) {
    if (f.opcode !== Opcode.TEXT && f.opcode !== Opcode.BINARY && f.opcode !== Opcode.CONTINUATION) continue;
    if (f.opcode !== Opcode.CONTINUATION) {
      first = f;
      parts = [];
    }
    parts.push(f.payload);
    if (f.fin && first !== null) {
      messages.push({ type: first.opcode === Opcode.TEXT ? 'text' : 'binary', compressed: first.rsv1, data: Buffer.concat(parts) });
      first = null;
    }
  }
  return messages;
}

/** Waits for `promise`, at most `ms` (the timer never outlives the wait). */
async function settle(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function codeOf(frame: TimedFrame | null): number | 'empty' | 'none' {
  if (frame === null) return 'none';
  if (frame.payload.length < 2) return 'empty';
  return (frame.payload[0]! << 8) | frame.payload[1]!;
}

/**
 * Runs one case: starts a scripted server, connects the echo client to it,
 * waits for the client's stream to complete and the script to end.
 *
 * @param script - what the server does
 * @param options - client options
 */
export async function runCase(script: Script, options: HarnessOptions = {}): Promise<ClientRun> {
  const server = await ScriptedServer.start(script);
  const sendErrors: string[] = [];
  const ws = new WebSocket(server.url, { maxPayload: 64 * 1024 * 1024, maxMessageSize: 64 * 1024 * 1024, ...options.ws });
  const guard = options.guard ?? 20_000;
  try {
    const trySend = (send: () => void): void => {
      try {
        send();
      } catch (error) {
        sendErrors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      }
    };
    const events = await lastValueFrom(
      ws.connect$({ ...SESSION, ...options.session }).pipe(
        tap((event) => {
          if (event.name === 'ready') options.onReady?.(ws);
          if (options.onEvent) trySend(() => options.onEvent!(event, ws));
          if (options.echo === false) return;
          if (event.name === 'text') trySend(() => ws.sendText(event.text));
          else if (event.name === 'binary') trySend(() => ws.sendBinary(event.data));
        }),
        toArray(),
        timeout({ each: guard }),
      ),
    );
    const completedAt = performance.now();
    await settle(Promise.all([server.done, server.gone]), 2000);
    const log = server.log;
    if (log === null) throw new Error(`the client never completed the handshake: ${events.map((e) => e.name).join(', ')}`);
    const closeFrame = log.frames.find((f) => f.opcode === Opcode.CLOSE) ?? null;
    return {
      events,
      server: log,
      messages: messagesOf(log.frames),
      pongs: log.frames.filter((f) => f.opcode === Opcode.PONG).map((f) => Buffer.from(f.payload)),
      closeFrame,
      closeCode: codeOf(closeFrame),
      duration: completedAt - log.marks['@handshake']!,
      sendErrors,
    };
  } finally {
    ws.forceDisconnect();
    await server.stop();
  }
}
