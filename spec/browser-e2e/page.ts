/**
 * The page script of the headless Chromium check: bundled with lib/browser.ts
 * and rxjs by esbuild, it runs three scenarios against the loopback servers
 * named in `globalThis.LOMOND_E2E` and POSTs what it saw to `reportUrl`.
 */
import { lastValueFrom, tap, toArray } from 'rxjs';
import { WebSocket, connect$, type WebSocketEvent } from '../../lib/browser.js';

interface Config {
  readonly echoUrl: string;
  readonly refusedUrl: string;
  readonly reportUrl: string;
}

const config = (globalThis as unknown as { LOMOND_E2E: Config }).LOMOND_E2E;

/** The fields of an event worth comparing, as plain JSON. */
function summary(event: WebSocketEvent): Record<string, unknown> {
  switch (event.name) {
    case 'ready':
      return { name: event.name, protocol: event.protocol, extensions: [...event.extensions], status: event.response.statusCode };
    case 'text':
      return { name: event.name, text: event.text };
    case 'binary':
      return { name: event.name, data: [...event.data] };
    case 'closed':
    case 'closing':
      return { name: event.name, code: event.code, reason: event.reason };
    case 'disconnected':
      return { name: event.name, graceful: event.graceful };
    default:
      return { name: event.name };
  }
}

/** Echo: send text and binary once ready, close after the binary echo. */
async function echo(): Promise<unknown[]> {
  const ws = new WebSocket(config.echoUrl);
  const events$ = ws.connect$({ poll: 60_000 }).pipe(
    tap((event) => {
      if (event.name === 'ready') {
        ws.sendText('hello');
        ws.sendBinary(new Uint8Array([1, 2, 3]));
      }
      if (event.name === 'binary') ws.close(1000, 'done');
    }),
  );
  return (await lastValueFrom(events$.pipe(toArray()))).map(summary);
}

/** Nothing listens on the refused port. */
async function refused(): Promise<unknown[]> {
  return (await lastValueFrom(connect$(config.refusedUrl, { connectTimeout: 10_000 }).pipe(toArray()))).map(summary);
}

/** Node-only options are refused by name. */
function rejectedOption(): string {
  try {
    connect$(config.echoUrl, { headers: { 'X-Token': 't' } } as never);
    return 'accepted';
  } catch (error) {
    return (error as Error).message;
  }
}

async function main(): Promise<void> {
  let report: unknown;
  try {
    report = { echo: await echo(), refused: await refused(), rejectedOption: rejectedOption() };
  } catch (error) {
    report = { error: String(error) };
  }
  await fetch(config.reportUrl, { method: 'POST', body: JSON.stringify(report) });
}

void main();
