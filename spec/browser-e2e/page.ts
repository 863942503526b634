/**
 * The page script of the headless Chromium check: bundled by esbuild for the
 * browser platform with `lomond/browser`, `lomond/testing` (both mapped to
 * lib/) and rxjs, it runs its scenarios against the loopback servers named in
 * `globalThis.LOMOND_E2E` and POSTs what it saw to `reportUrl`:
 * the echo lifecycle, a refused connection, option rejection, the heartbeat
 * (answered, then unanswered), `json()`, `browserWake$()` cutting persist's
 * wait short, and a marble test of lomond/testing's scripted server driving
 * the browser build in virtual time.
 */
import { filter, lastValueFrom, map, take, tap, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { WebSocket, browserWake$, connect$, isText, json, persist, type WebSocketEvent } from 'lomond/browser';
import { createTestServer, installTestWebSocket } from 'lomond/testing';

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

/** The echo server answers each heartbeat: three replies and no `unresponsive`, then the app closes. */
async function heartbeatAnswered(): Promise<unknown> {
  const ws = new WebSocket(config.echoUrl, {
    heartbeat: { interval: 100, timeout: 2000, message: () => 'hb', isReply: (e) => isText(e) && e.text === 'hb' },
  });
  let replies = 0;
  const events$ = ws.connect$({ poll: 60_000 }).pipe(
    tap((event) => {
      if (isText(event) && ++replies === 3) ws.close(1000, 'enough');
    }),
  );
  const names = (await lastValueFrom(events$.pipe(toArray()))).map((e) => e.name);
  return { replies, unresponsive: names.includes('unresponsive'), last: names.at(-1) };
}

/** No event counts as a reply: `unresponsive`, then `disconnected(graceful=false)` after interval + timeout. */
async function heartbeatUnanswered(): Promise<unknown> {
  const started = performance.now();
  const events = await lastValueFrom(
    connect$(config.echoUrl, { poll: 60_000, heartbeat: { interval: 100, timeout: 200, message: 'hb', isReply: () => false } }).pipe(toArray()),
  );
  const tail = events.slice(-2).map(summary);
  return { tail, reason: (events.at(-1) as { reason?: string }).reason, afterMs: Math.round(performance.now() - started) };
}

/** json(): parsed values in order, the message that is not JSON skipped and reported. */
async function jsonValues(): Promise<unknown> {
  const ws = new WebSocket(config.echoUrl);
  const invalid: string[] = [];
  const values$ = ws.connect$({ poll: 60_000 }).pipe(
    tap((event) => {
      if (event.name === 'ready') for (const text of ['{"a":1}', 'not json', '[2]']) ws.sendText(text);
    }),
    json<unknown>({ onInvalid: (event) => invalid.push(event.text) }),
    take(2),
    toArray(),
  );
  return { values: await lastValueFrom(values$), invalid };
}

/** browserWake$: an `online` event ends persist's minute-long wait at once; a visible document is reported too. */
async function wake(): Promise<unknown> {
  const reasons: string[] = [];
  const watch = browserWake$().subscribe((reason) => reasons.push(reason));
  const started = performance.now();
  const events$ = connect$(config.refusedUrl, { connectTimeout: 10_000 }).pipe(
    persist({ minWait: 60_000, maxWait: 60_000, retryNow$: browserWake$() }),
    tap((event) => {
      if (event.name === 'back_off') setTimeout(() => window.dispatchEvent(new Event('online')), 50);
    }),
    filter((event) => event.name === 'connecting'),
    take(2),
    toArray(),
  );
  const attempts = (await lastValueFrom(events$)).length;
  const secondAfterMs = Math.round(performance.now() - started);
  document.dispatchEvent(new Event('visibilitychange'));
  watch.unsubscribe();
  return { attempts, fast: secondAfterMs < 30_000, reasons, visibility: document.visibilityState };
}

/** lomond/testing in the page: the scripted server drives the browser build in virtual time (marbles). */
function virtualTime(): unknown {
  const failures: string[] = [];
  const scheduler = new TestScheduler((actual, expected) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) failures.push(`${JSON.stringify(actual)} != ${JSON.stringify(expected)}`);
  });
  let frames: string[] = [];
  scheduler.run(({ expectObservable }) => {
    const server = createTestServer(scheduler);
    const restore = installTestWebSocket(server);
    server.at(50, () => server.sendText('{"price":1}'));
    server.at(100, () => server.drop());
    const names$ = connect$('ws://feed.test/', { scheduler, poll: 60_000, heartbeat: { interval: 1000, timeout: 100, message: 'hb' } }).pipe(
      persist({ minWait: 1000, maxWait: 1000, scheduler }),
      map((e) => e.name),
    );
    // connecting/connected/ready/poll at 0; text at 50; dropped at 100; back_off; reconnect at 1100; the heartbeat
    // of 2100 goes unanswered (the server does not echo): unresponsive at 2200, and persist reconnects at 3200.
    expectObservable(names$, '^ 3300ms !').toBe('(abrp) 44ms t 49ms (dk) 996ms (abrp) 1094ms (udk) 995ms (abrp)', {
      a: 'connecting', b: 'connected', r: 'ready', p: 'poll', t: 'text', d: 'disconnected', k: 'back_off', u: 'unresponsive',
    });
    scheduler.schedule(() => {
      frames = server.connections.map((c) => `${c.state}:${c.texts.join(',')}`);
      restore();
    }, 3250);
  });
  return { failures, frames, restored: globalThis.WebSocket.name };
}

async function main(): Promise<void> {
  let report: unknown;
  try {
    report = {
      echo: await echo(),
      refused: await refused(),
      rejectedOption: rejectedOption(),
      heartbeatAnswered: await heartbeatAnswered(),
      heartbeatUnanswered: await heartbeatUnanswered(),
      json: await jsonValues(),
      wake: await wake(),
      virtualTime: virtualTime(),
    };
  } catch (error) {
    report = { error: String((error as Error).stack ?? error) };
  }
  await fetch(config.reportUrl, { method: 'POST', body: JSON.stringify(report) });
}

void main();
