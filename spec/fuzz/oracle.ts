/**
 * The oracle: what must hold for every connection, whatever the server sent.
 * Each rule yields a {@link Violation} with a stable name (known-defects.ts
 * matches on them):
 *
 * - `uncaught`, `observable-error`, `api-error`: nothing crashes, the stream never errors, the API throws only
 *   what SPEC allows;
 * - `hang`, `late`, `force`, `close-timeout`: the stream completes, within closeTimeout (or connectTimeout) + 1 s, at
 *   once after forceDisconnect(), and a close timeout comes only after a close frame was sent;
 * - `sequence`, `graceful`: the lifecycle of SPEC "Events" (one terminal event, last; `ready` once, after
 *   `connected`; nothing after the close; `graceful` as SPEC defines it);
 * - `handshake`: `ready` exactly when the answer was a valid 101 (see handshake-arbitraries' verdicts);
 * - `model`: for unmutated scripts, the events and the close code of the reference model;
 * - `client-frames`, `pong`, `echo`, `lost`, `close-code`: what the client sent is masked, nothing follows its close
 *   frame, pongs answer pings (the latest one at least), the application's messages arrive intact and before the
 *   close frame, close frames carry the code SPEC names;
 * - `connection-left`, `resources-left`: no socket or timer outlives the connection;
 * - `stall`, `memory`: no event-loop freeze, no memory beyond what was received.
 */
import type { WebSocketEvent } from '../../lib/events/events.js';
import { expectFrames, observed, type Observed } from './model.js';
import { BYE, deadlineOf, type CaseRun } from './run-case.js';
import { hasNoBody } from './handshake-arbitraries.js';
import { headMutated } from './scenario.js';

/** One broken rule. */
export interface Violation {
  readonly rule: string;
  readonly detail: string;
}

/** Longest acceptable event-loop block: linear code handles a 64 KiB chunk in well under a millisecond; 1 s leaves room for GC pauses on a loaded machine and still catches a freeze. */
export const MAX_STALL_MS = 1000;
/**
 * ArrayBuffer growth allowed beyond 4× the bytes received (and 2× what compressed messages inflate to): room for
 * zlib, copies and the noise of a process that runs jest (up to ~1.2 MiB measured over thousands of cases). A client
 * that allocated what a header announces (50 MiB, 2 GiB) breaks it at once.
 */
export const MEMORY_SLACK = 8 * 1024 * 1024;

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((byte, i) => byte === b[i]);
const encoder = new TextEncoder();

const TERMINAL = new Set(['disconnected', 'connect_fail']);
const AFTER_READY = new Set(['text', 'binary', 'ping', 'pong', 'poll', 'closing', 'closed', 'protocol_error', 'unresponsive', 'unknown']);

const count = (events: readonly WebSocketEvent[], name: string): number => events.filter((e) => e.name === name).length;
const indexOf = (events: readonly WebSocketEvent[], name: string): number => events.findIndex((e) => e.name === name);
const summary = (events: readonly WebSocketEvent[]): string => events.map((e) => e.name).join(' ');

function sequence(run: CaseRun, out: Violation[]): void {
  const { events } = run;
  const v = (detail: string): number => out.push({ rule: 'sequence', detail: `${detail}: ${summary(events)}` });
  if (events[0]?.name !== 'connecting' || count(events, 'connecting') !== 1) v('not one connecting first');
  for (const name of ['connected', 'ready', 'rejected', 'closing', 'closed', 'protocol_error', 'unresponsive']) if (count(events, name) > 1) v(`${name} more than once`);
  const connected = indexOf(events, 'connected');
  if (connected > 1) v('connected after other events');
  const ready = indexOf(events, 'ready');
  const rejected = indexOf(events, 'rejected');
  if (ready >= 0 && rejected >= 0) v('both ready and rejected');
  if ((ready >= 0 && ready < connected) || (ready >= 0 && connected < 0)) v('ready before connected');
  if ((rejected >= 0 && rejected < connected) || (rejected >= 0 && connected < 0)) v('rejected before connected');
  events.forEach((e, i) => {
    if (AFTER_READY.has(e.name) && (ready < 0 || i < ready)) v(`${e.name} without ready before it`);
  });
  const after = (name: string, allowed: readonly string[]): void => {
    const at = indexOf(events, name);
    if (at < 0) return;
    const extra = events.slice(at + 1).filter((e) => !TERMINAL.has(e.name) && !allowed.includes(e.name));
    if (extra.length > 0) v(`${extra.map((e) => e.name).join(',')} after ${name}`);
  };
  after('closing', ['closed', 'unresponsive', 'poll']);
  after('closed', []);
  after('protocol_error', ['unresponsive', 'poll']);
  after('unresponsive', []);
  // SPEC: one poll at ready, then every `poll` ms (600 s here).
  if (count(events, 'poll') > 1) v('more than one poll');
  const closing = events.find((e) => e.name === 'closing');
  const closed = events.find((e) => e.name === 'closed');
  if (closing !== undefined && closed !== undefined && (closing.code !== closed.code || closing.reason !== closed.reason)) v(`closed(${closed.code}) after closing(${closing.code})`);
  // SPEC: receivedTime is the scheduler's now() at emission: it never goes back.
  const back = events.findIndex((e, i) => i > 0 && e.receivedTime < events[i - 1]!.receivedTime);
  if (back > 0) v(`receivedTime went back: ${events[back - 1]!.name}@${events[back - 1]!.receivedTime} then ${events[back]!.name}@${events[back]!.receivedTime}`);
  if (!run.completed) return;
  const terminals = events.filter((e) => TERMINAL.has(e.name));
  if (terminals.length !== 1) v(`${terminals.length} terminal events`);
  const last = events[events.length - 1];
  if (last === undefined || !TERMINAL.has(last.name)) v('the last event is not terminal');
  const expected = ready >= 0 || rejected >= 0 ? 'disconnected' : 'connect_fail';
  if (last !== undefined && TERMINAL.has(last.name) && last.name !== expected) v(`ends with ${last.name}, expected ${expected}`);
  // `closed` needs both close frames: ours must have left (the virtual server records every write).
  if (count(events, 'closed') > 0 && run.profile.name === 'virtual' && !run.log.clientFrames.some((f) => f.opcode === 8)) v('closed without a close frame sent');
}

function graceful(run: CaseRun, out: Violation[]): void {
  const last = run.events[run.events.length - 1];
  if (last?.name !== 'disconnected') return;
  const has = (name: string): boolean => run.events.some((e) => e.name === name);
  const v = (detail: string): number => out.push({ rule: 'graceful', detail: `${detail}: disconnected(${JSON.stringify(last.reason)}, graceful=${last.graceful})` });
  if (has('rejected') && !last.graceful) v('a rejection ends gracefully');
  if (last.graceful && !has('closed') && !has('rejected')) v('graceful without a completed close handshake');
  // SPEC: "after a completed close handshake (both close frames exchanged) `disconnected` is `graceful=true`, however TCP then ends".
  // (forceDisconnect() from the `closed` handler or later may say either: SPEC's "at once with graceful=false" meets it.)
  const forcedAfterClosed = run.scenario.client.act?.kind === 'force' && run.actedAt !== null && run.events.slice(0, run.eventsAtAct).some((e) => e.name === 'closed');
  if (has('closed') && !last.graceful && last.reason !== 'close timeout' && !forcedAfterClosed) v('not graceful after a completed close handshake');
  if ((has('protocol_error') || has('unresponsive')) && last.graceful) v('graceful after a failure');
  // SPEC closeTimeout: "longest wait for the close handshake": it runs once our close frame is out.
  if (last.reason === 'close timeout' && run.profile.name === 'virtual' && !run.log.clientFrames.some((f) => f.opcode === 8)) {
    out.push({ rule: 'close-timeout', detail: 'close timeout without a close frame sent' });
  }
}

function handshake(run: CaseRun, out: Violation[]): void {
  const verdict = run.log.script?.verdict;
  if (verdict === undefined || headMutated(run.scenario) || !run.completed) return;
  const ready = run.events.find((e) => e.name === 'ready');
  const rejected = run.events.find((e) => e.name === 'rejected');
  const end = run.events[run.events.length - 1];
  const why = end !== undefined && 'reason' in end ? `${end.name}(${JSON.stringify(end.reason)})` : summary(run.events);
  const v = (detail: string): number => out.push({ rule: 'handshake', detail });
  if (verdict.expect === 'ready') {
    if (ready === undefined) {
      v(`a valid 101 was not accepted: ${rejected !== undefined ? `rejected(${JSON.stringify(rejected.reason)})` : why}`);
      return;
    }
    const head = run.scenario.response.kind === 'switch' ? run.scenario.response.head : null;
    const protocol = head?.protocol || null;
    if (ready.protocol !== protocol) v(`ready.protocol ${ready.protocol}, the server chose ${protocol}`);
    const deflate = ready.extensions.has('permessage-deflate');
    if (deflate !== (verdict.deflate !== null)) v(`ready.extensions ${[...ready.extensions].join(',') || '(none)'} for ${JSON.stringify(head?.extensions?.value ?? null)}`);
  } else if (verdict.expect === 'not-ready') {
    if (ready !== undefined) v('an invalid or incomplete answer was accepted (ready)');
  } else if (verdict.expect === 'rejected') {
    // A client cannot reject a head it did not get: on a loaded machine the short connectTimeout of a refusal whose
    // body has no end may expire before the server's first bytes.
    const headLength = (run.log.script?.head.length ?? 0) - (run.scenario.response.kind === 'refuse' ? run.scenario.response.body.length : 0);
    const headSent = run.log.sent.reduce((sum, chunk) => sum + chunk.length, 0) >= headLength;
    if (rejected === undefined) {
      if (headSent) v(`a ${verdict.status} refusal did not end as rejected: ${why}`);
    } else if (rejected.response.statusCode !== verdict.status) v(`rejected.response.statusCode ${rejected.response.statusCode}, sent ${verdict.status}`);
  }
  const response = (ready ?? rejected)?.response;
  // SPEC "Response": `httpVersion` ('1.1' or '2'); lib/core/response.ts adds '1.0', which can only refuse an
  // upgrade: the version is the status line's.
  const sent = run.scenario.response;
  const sentVersion = sent.kind === 'refuse' ? sent.version : sent.kind === 'switch' ? sent.head.version : 'HTTP/1.1';
  const version = sentVersion === 'HTTP/1.0' ? '1.0' : '1.1';
  if (response !== undefined && response.httpVersion !== version) v(`response.httpVersion ${String(response.httpVersion)} for a ${sentVersion} status line`);
  if (rejected !== undefined && run.scenario.response.kind === 'refuse') {
    // SPEC: rejected carries `body: Uint8Array` ("first bytes of a non-101 body, ≤ 4 KiB; empty if none").
    const body: unknown = rejected.body;
    // The bytes after the head, as sent (edits of the 'frames' target land after the body).
    const script = run.log.script!;
    const sent = script.stream.subarray(script.head.length - run.scenario.response.body.length);
    // A Content-Length that matches delimits it exactly (RFC 9112 §6.3); otherwise it is what came in time.
    const refusal = run.scenario.response;
    const exact = refusal.contentLength === 'exact' ? (hasNoBody(refusal.status) ? 0 : Math.min(4096, refusal.body.length)) : null;
    if (!(body instanceof Uint8Array)) v('rejected has no body (SPEC: body: Uint8Array)');
    else if (body.length > 4096 || !sameBytes(body, sent.subarray(0, body.length))) v(`rejected.body of ${body.length} bytes is not a prefix (≤ 4 KiB) of the ${sent.length} sent`);
    else if (exact !== null && body.length !== exact) v(`rejected.body of ${body.length} bytes, Content-Length ${refusal.body.length} (expected ${exact})`);
  }
}

/** The client's events the model predicts, up to the first fault. */
function observedEvents(run: CaseRun): { events: Observed[]; fault: boolean } {
  const events: Observed[] = [];
  for (const e of run.events) {
    if (e.name === 'protocol_error') return { events, fault: true };
    if (e.name === 'text') events.push(['text', e.text]);
    else if (e.name === 'binary') events.push(observed('binary', e.data));
    else if (e.name === 'ping') events.push(observed('ping', e.data));
    else if (e.name === 'pong' && run.scenario.client.pingRate === 0) events.push(observed('pong', e.data));
    else if (e.name === 'closing') events.push(['closing', e.code, e.reason]);
  }
  return { events, fault: false };
}

/**
 * True when a timer ended the session (unresponsive, close timeout): what was still queued (messages waiting for
 * zlib on a busy thread pool, say) is then lost, legitimately.
 */
function endedByTimer(run: CaseRun): boolean {
  const last = run.events[run.events.length - 1];
  return run.events.some((e) => e.name === 'unresponsive') || (last?.name === 'disconnected' && last.reason === 'close timeout');
}

/** Close reasons of the fuzzed application (run-case.ts): its closes, not the client's answers to the script. */
export const APP_REASONS = new Set(['fuzz', 'fuzz done']);
const decoder = new TextDecoder();

const closeCodeOf = (payload: Uint8Array): number | 'empty' => (payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : 'empty');

function modelCheck(run: CaseRun, out: Violation[]): void {
  const { scenario: s, log } = run;
  const verdict = log.script?.verdict;
  if (verdict?.expect !== 'ready' || s.mutations.edits.length > 0 || !run.events.some((e) => e.name === 'ready')) return;
  const close = log.clientFrames.find((f) => f.opcode === 8);
  // The application's own close (at ready, or once the script is over) is not the model's business…
  const appClosed = close !== undefined && APP_REASONS.has(decoder.decode(close.payload.subarray(2)));
  // …but the server's answer to it may land in the middle of a frame of the script: the rest is then noise.
  if (appClosed && !log.scriptCompleted && s.server.onClientClose !== 'ignore') return;
  const model = expectFrames(s.frames, s.client, verdict.deflate);
  // The client's own pings draw pongs from the server: pongs are compared only when it sends none.
  const expected = s.client.pingRate === 0 ? model : { ...model, events: model.events.filter((e) => e[0] !== 'pong') };
  const got = observedEvents(run);
  // A later frame's fault may win over an inflated message's (a known defect): only when a protocol_error was
  // reported and the failing message itself was not delivered.
  const end = expected.end;
  const failingDelivered = end.kind === 'fault' && end.message !== undefined && JSON.stringify(got.events[expected.events.length]) === JSON.stringify(end.message);
  // (Or when the application ended the session, forceDisconnect() or unsubscribing, before that protocol_error came.)
  const cutBeforeFault = got.fault || endedByTimer(run) || run.actedAt !== null;
  const asyncFault = end.kind === 'fault' && end.inflated === true && cutBeforeFault && !failingDelivered ? ' (after an inflated message that must fail)' : '';
  const show = (list: readonly Observed[]): string => JSON.stringify(list).slice(0, 600);
  const firstDiff = got.events.findIndex((event, i) => i < expected.events.length && JSON.stringify(event) !== JSON.stringify(expected.events[i]));
  const v = (detail: string): number => out.push({ rule: 'model', detail: `${detail}${asyncFault}\n    expected ${show(expected.events)} then ${JSON.stringify(expected.end)}\n    got      ${show(got.events)}${got.fault ? ' then protocol_error' : ''}` });
  if (firstDiff >= 0) {
    v(`event ${firstDiff} differs`);
    return;
  }
  if (!expected.exact) return;
  if (got.fault && expected.end.kind !== 'fault') v('protocol_error on a valid script');
  const cut = !log.scriptCompleted && expected.end.kind === 'open';
  const lossy = run.profile.name === 'socket' && s.server.after === 'reset';
  const interrupted = s.client.act !== null || endedByTimer(run) || cut || lossy;
  if (interrupted) {
    if (got.events.length > expected.events.length) v('more events than the script holds');
    return;
  }
  if (got.events.length !== expected.events.length) v(`${got.events.length} events, expected ${expected.events.length}`);
  if (expected.end.kind === 'fault') {
    const reported = run.events.find((e) => e.name === 'protocol_error');
    if (!got.fault) v('no protocol_error');
    else if (reported?.critical === true && expected.end.critical !== true) v(`a critical protocol_error(${JSON.stringify(reported.error)}) where SPEC wants a close frame with ${expected.end.codes.join(' or ')}`);
    else if (reported?.critical === true) return; // dropped at once, no close frame: nothing more to check
    else if (close !== undefined && !appClosed && !expected.end.codes.includes(closeCodeOf(close.payload) as number)) {
      out.push({ rule: 'close-code', detail: `closed with ${closeCodeOf(close.payload)}, expected ${expected.end.codes.join(' or ')}${asyncFault}` });
    }
  } else if (expected.end.kind === 'close' && close !== undefined && !appClosed) {
    // RFC 6455 §5.5.1: the answer to a close frame "typically echoing the status code it received".
    const echoed = closeCodeOf(close.payload);
    if (echoed !== (expected.end.code === 1005 ? 'empty' : expected.end.code)) out.push({ rule: 'close-code', detail: `echoed ${echoed} to the server's close ${expected.end.code}` });
  }
}

function clientFrames(run: CaseRun, out: Violation[]): void {
  const frames = run.log.clientFrames;
  const v = (detail: string): number => out.push({ rule: 'client-frames', detail });
  // RFC 6455 §5.3: "The masking key ... MUST be present for all frames sent from client to server" (§5.1).
  if (frames.some((f) => !f.masked)) v('an unmasked frame');
  const close = frames.findIndex((f) => f.opcode === 8);
  if (close < 0) return;
  // §5.5.1: "After sending a Close frame, the endpoint MUST NOT send any more data frames."
  const after = frames.slice(close + 1).filter((f) => f.opcode <= 2);
  if (after.length > 0) v(`${after.length} data frame(s) after its close frame`);
  const code = closeCodeOf(frames[close]!.payload);
  const validCode = code === 'empty' || (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  if (!validCode || frames[close]!.payload.length > 125) v(`an invalid close frame (code ${code}, ${frames[close]!.payload.length} bytes)`);
}


/** What the client answered, for any script: pongs, the application's echoes, its close code. */
function answers(run: CaseRun, out: Violation[]): void {
  const frames = run.log.clientFrames;
  // RFC 6455 §5.5.3: "A Pong frame sent in response to a Ping frame must have identical "Application data"".
  // Pings are answered when parsed, before the events of their chunk are delivered: when the stream is cut short
  // (a compressed message before them fails the connection once inflated, or the application ends the session from
  // an earlier event of the chunk), their events are dropped but the pongs are out. That is allowed.
  const inflateFailed = run.events.some((e) => e.name === 'ready' && e.extensions.size > 0) && run.events.some((e) => e.name === 'protocol_error');
  const cutShort = inflateFailed || run.actedAt !== null || endedByTimer(run);
  const pings = run.events.filter((e) => e.name === 'ping').map((e) => e.data);
  for (const pong of frames.filter((f) => f.opcode === 0xa)) {
    const at = pings.findIndex((ping) => sameBytes(ping, pong.payload));
    if (at >= 0) pings.splice(at, 1);
    else if (!cutShort) out.push({ rule: 'pong', detail: `a pong with ${pong.payload.length} bytes no ping carried` });
  }
  // §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response, unless it already
  // received a Close frame"; §5.5.3 lets it answer only the latest of several. So the latest ping is answered when
  // nothing ended the connection first: no close frame from the server, no fault, no application act, a server
  // that kept the connection open, and a session that ended by the application's close timing out (it could
  // still write).
  const last = run.events[run.events.length - 1];
  const ownClose = frames.find((f) => f.opcode === 8);
  const stillOpen =
    last?.name === 'disconnected' &&
    last.reason === 'close timeout' &&
    ownClose !== undefined &&
    APP_REASONS.has(decoder.decode(ownClose.payload.subarray(2))) &&
    run.log.serverEnd === null &&
    run.actedAt === null &&
    !run.events.some((e) => ['closing', 'closed', 'protocol_error', 'unresponsive'].includes(e.name));
  const latest = run.events.filter((e) => e.name === 'ping').at(-1);
  if (stillOpen && latest !== undefined && !frames.some((f) => f.opcode === 0xa && sameBytes(f.payload, latest.data))) {
    out.push({ rule: 'pong', detail: `the latest ping (${latest.data.length} bytes) was never answered` });
  }
  // The application echoes what it receives (and says "bye" from its closing handler), nothing else: the client's
  // data frames are those messages, in order (compressed ones are not inflated here: they match any message).
  const echo = run.scenario.client.echo;
  const bye = encoder.encode(BYE);
  const sentByApp = run.events.flatMap((e) =>
    e.name === 'closing' && run.byeSent ? [bye] : !echo ? [] : e.name === 'text' ? [encoder.encode(e.text)] : e.name === 'binary' ? [e.data] : [],
  );
  let next = 0;
  for (const sent of frames.filter((f) => f.opcode === 1 || f.opcode === 2)) {
    while (next < sentByApp.length && !(sent.rsv1 && sentByApp[next] !== bye) && !sameBytes(sentByApp[next]!, sent.payload)) next++;
    if (next >= sentByApp.length) {
      out.push({ rule: 'echo', detail: `the client sent a ${sent.payload.length}-byte message the application did not send` });
      break;
    }
    next++;
  }
  // SPEC "Send path": "frames leave in call order (a close never overtakes queued data)": once the close frame is
  // out (the server logged it, so TCP delivered all written before it), every message accepted before is out too.
  // (A failed connection, RFC 6455 §7.1.7, may drop what it still held.)
  const closeAt = frames.findIndex((f) => f.opcode === 8);
  const dataBefore = frames.slice(0, Math.max(0, closeAt)).filter((f) => f.opcode === 1 || f.opcode === 2).length;
  if (closeAt >= 0 && dataBefore < run.accepted && !run.events.some((e) => e.name === 'protocol_error')) out.push({ rule: 'lost', detail: `${run.accepted - dataBefore} of ${run.accepted} accepted message(s) did not go out before the close frame` });
  // SPEC "Lifecycles": on the server's close "the app may still send inside the handler": before the echo.
  if (run.byeSent && run.profile.name === 'virtual') {
    const at = frames.findIndex((f) => f.opcode === 1 && !f.rsv1 && sameBytes(f.payload, bye));
    const closeAt = frames.findIndex((f) => f.opcode === 8);
    // (Unless the server's FIN came while it waited behind compressed messages: the session then ends at once.)
    const cutByFin = run.log.serverEnd !== null && closeAt < 0;
    if (at < 0 && !cutByFin) out.push({ rule: 'echo', detail: `the "bye" sent from the closing handler never went out` });
    else if (closeAt >= 0 && closeAt < at) out.push({ rule: 'echo', detail: `the "bye" sent from the closing handler went out after the close frame` });
  }
  const close = frames.find((f) => f.opcode === 8);
  if (close !== undefined && APP_REASONS.has(decoder.decode(close.payload.subarray(2)))) return;
  const closing = run.events.find((e) => e.name === 'closing');
  const failure = run.events.find((e) => e.name === 'protocol_error');
  const failedFirst = failure !== undefined && (closing === undefined || run.events.indexOf(failure) < run.events.indexOf(closing));
  if (closing !== undefined && !failedFirst && close !== undefined) {
    // RFC 6455 §5.5.1: the answer to a close frame "typically echoing the status code it received".
    const echoed = closeCodeOf(close.payload);
    if (echoed !== (closing.code === 1005 ? 'empty' : closing.code)) out.push({ rule: 'close-code', detail: `echoed ${echoed} to the server's close ${closing.code}` });
  }
  if (failedFirst && !failure.critical) {
    // SPEC: "non-critical errors first send a close frame with the RFC code (1002 protocol, 1007 invalid UTF-8, 1009 too big)".
    if (close !== undefined && ![1002, 1007, 1009, 1010, 1011].includes(closeCodeOf(close.payload) as number)) {
      out.push({ rule: 'close-code', detail: `closed with ${closeCodeOf(close.payload)} after protocol_error(${JSON.stringify(failure.error)})` });
    }
    // Unless the application ended the session itself (forceDisconnect() from the protocol_error handler, say), or
    // the server ended TCP while the close frame waited in the outbox behind compressed messages (call order).
    const heldByDeflate = run.events.some((e) => e.name === 'ready' && e.extensions.size > 0) && run.log.serverEnd !== null;
    if (close === undefined && run.profile.name === 'virtual' && run.log.serverEnd !== 'reset' && run.actedAt === null && !heldByDeflate) {
      out.push({ rule: 'close-code', detail: `no close frame after protocol_error(${JSON.stringify(failure.error)})` });
    }
  }
}

function resources(run: CaseRun, out: Violation[]): void {
  const { log } = run;
  const after = run.completed ? '1 s after completion' : `closeTimeout + 1 s after unsubscribing`;
  if (run.connectionLeft) out.push({ rule: 'connection-left', detail: `the server still saw the connection open ${after}` });
  if (run.resourcesLeft.length > 0) out.push({ rule: 'resources-left', detail: `left after completion: ${run.resourcesLeft.join(', ')}` });
  if (run.connections > 1) out.push({ rule: 'sequence', detail: `${run.connections} connections for one subscription` });
  if (log.maxStall > MAX_STALL_MS) out.push({ rule: 'stall', detail: `the event loop was blocked ${log.maxStall.toFixed(0)} ms` });
  const received = log.sent.reduce((sum, chunk) => sum + chunk.length, 0);
  // Inflating legitimately produces what the compressed messages hold (within maxMessageSize).
  const deflate = run.events.some((e) => e.name === 'ready' && e.extensions.size > 0);
  const inflatable = deflate ? run.scenario.frames.reduce((sum, f) => sum + (f.kind === 'bomb' ? f.size : f.kind === 'message' && f.compress ? f.payload.length : 0), 0) : 0;
  if (log.peakArrayBuffers > MEMORY_SLACK + 4 * received + 2 * inflatable) {
    out.push({ rule: 'memory', detail: `ArrayBuffer memory grew ${(log.peakArrayBuffers / 1048576).toFixed(1)} MiB after ${received} bytes received` });
  }
}

/** Every rule `run` breaks. */
export function judge(run: CaseRun): Violation[] {
  const out: Violation[] = [];
  for (const error of run.uncaught) out.push({ rule: 'uncaught', detail: error });
  if (run.error !== null) out.push({ rule: 'observable-error', detail: run.error });
  for (const error of run.appErrors) out.push({ rule: 'api-error', detail: error });
  if (run.hung) out.push({ rule: 'hang', detail: `no completion: ${summary(run.events)}` });
  // SPEC: forceDisconnect() "ends the session at once with disconnected(graceful=false)".
  const forced = run.scenario.client.act?.kind === 'force' && run.actedAt !== null;
  if (forced && run.completedAt !== null && run.completedAt - run.actedAt! > 1000) out.push({ rule: 'late', detail: `completed ${(run.completedAt - run.actedAt!).toFixed(0)} ms after forceDisconnect()` });
  if (forced) {
    // "at once": the next event is the last one, and nothing more goes out (no close handshake).
    const after = run.events.slice(run.eventsAtAct);
    if (after.length > 0 && after[0]!.name !== 'disconnected') out.push({ rule: 'force', detail: `${after.map((e) => e.name).join(' ')} after forceDisconnect()` });
    const sent = run.log.clientFrames.filter((f) => f.at > run.actedAt!);
    if (sent.length > 0) out.push({ rule: 'force', detail: `${sent.map((f) => `opcode ${f.opcode}`).join(', ')} sent after forceDisconnect()` });
  }
  else if (run.completedAt !== null && run.completedAt > deadlineOf(run)) {
    const stoppedAt = run.log.scriptEndAt ?? run.startAt;
    out.push({ rule: 'late', detail: `completed ${(run.completedAt - stoppedAt).toFixed(0)} ms after the script stopped (closeTimeout ${run.profile.closeTimeout}, connectTimeout ${run.connectTimeout})` });
  }
  sequence(run, out);
  graceful(run, out);
  handshake(run, out);
  modelCheck(run, out);
  clientFrames(run, out);
  answers(run, out);
  resources(run, out);
  return out;
}
