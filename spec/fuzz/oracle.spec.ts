/**
 * The oracle's rules, each shown to fire on a hand-made run that breaks it
 * (and not on a clean one), and the KNOWN_DEFECTS entries, each shown to be
 * still needed: its reproduction still breaks the oracle the way the entry
 * says. When a fix lands, the second test names the entry to delete.
 */
import type { WebSocketEvent } from '../../lib/events/events.js';
import { FIXED_DEFECTS, KNOWN_DEFECTS, unexplained } from './known-defects.js';
import { judge } from './oracle.js';
import { activeResources, ProcessGuard } from './process-guard.js';
import { describeRun } from './report.js';
import { runCase, type CaseRun } from './run-case.js';
import { makeScenario, renderScript, type Scenario } from './scenario.js';
import { emptyLog, type LoggedFrame } from './script-player.js';
import { virtualDriver, VIRTUAL } from './virtual-transport.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const SERVER_CLOSE = makeScenario({ frames: [{ kind: 'close', code: 1000, reason: new Uint8Array(0) }] });
const response = { statusCode: 101, status: 'Switching Protocols', httpVersion: '1.1', headers: {}, get: () => undefined, getList: () => [] };

/** A client frame as the server logs it (masked unless said otherwise). */
const frame = (opcode: number, payload: number[], masked = true): LoggedFrame => ({ fin: true, rsv1: false, opcode, masked, payload: Uint8Array.from(payload), at: 5 });

/** Events by name, with the fields the oracle reads. */
function ev(name: string, fields: Record<string, unknown> = {}): WebSocketEvent {
  const defaults: Record<string, Record<string, unknown>> = {
    ready: { response, protocol: null, extensions: new Set<string>() },
    rejected: { response: { ...response, statusCode: 403 }, reason: 'expected status 101, got 403 Forbidden' },
    closing: { code: 1000, reason: '' },
    closed: { code: 1000, reason: '' },
    disconnected: { reason: 'closed', graceful: true },
    connect_fail: { reason: 'connect ECONNREFUSED' },
    protocol_error: { error: 'invalid opcode 0x3', critical: false },
  };
  return { name, receivedTime: 0, ...defaults[name], ...fields } as unknown as WebSocketEvent;
}

const CLEAN = ['connecting', 'connected', 'ready', 'poll', 'closing', 'closed', 'disconnected'].map((name) => ev(name));

/** A finished run of `scenario` that produced `events`; the server saw the echo of its close. */
function fakeRun(events: WebSocketEvent[], overrides: Partial<CaseRun> = {}, scenario: Scenario = SERVER_CLOSE): CaseRun {
  const log = emptyLog();
  log.key = KEY;
  log.script = renderScript(scenario, KEY, VIRTUAL);
  log.sent.push(log.script.stream);
  log.scriptCompleted = true;
  log.scriptEndAt = 10;
  log.clientFrames.push(frame(8, [0x03, 0xe8]));
  log.clientGoneAt = 12;
  return {
    scenario,
    profile: VIRTUAL,
    connectTimeout: VIRTUAL.connectTimeout,
    events,
    completed: true,
    error: null,
    hung: false,
    appErrors: [],
    uncaught: [],
    actedAt: null,
    eventsAtAct: 0,
    byeSent: false,
    accepted: 0,
    startAt: 0,
    completedAt: 12,
    log,
    connectionLeft: false,
    resourcesLeft: [],
    connections: 1,
    ...overrides,
  };
}

const rulesOf = (run: CaseRun): string[] => [...new Set(judge(run).map((v) => v.rule))].sort();

describe('the fuzz oracle', () => {
  it('accepts a clean server close: closing, echo, closed, disconnected(graceful)', () => {
    expect(judge(fakeRun(CLEAN))).toEqual([]);
  });

  it('requires one connecting first and one terminal event last (SPEC "Events")', () => {
    expect(rulesOf(fakeRun(CLEAN.slice(1)))).toEqual(['sequence']);
    expect(rulesOf(fakeRun([...CLEAN, ev('disconnected')]))).toContain('sequence');
    expect(rulesOf(fakeRun(CLEAN.slice(0, -1)))).toContain('sequence');
    expect(rulesOf(fakeRun([ev('connecting'), ev('connected'), ev('ready'), ev('connect_fail')]))).toContain('sequence');
  });

  it('requires ready after connected, once, and nothing but the end after closed', () => {
    expect(rulesOf(fakeRun([ev('connecting'), ev('ready'), ev('connected'), ...CLEAN.slice(3)]))).toContain('sequence');
    expect(rulesOf(fakeRun([...CLEAN.slice(0, 3), ev('ready'), ...CLEAN.slice(3)]))).toContain('sequence');
    expect(rulesOf(fakeRun([...CLEAN.slice(0, 6), ev('text', { text: 'late' }), CLEAN[6]!]))).toContain('sequence');
  });

  it('ties graceful to a completed close handshake or a rejection', () => {
    expect(rulesOf(fakeRun([...CLEAN.slice(0, 6), ev('disconnected', { reason: 'read ECONNRESET', graceful: false })]))).toEqual(['graceful']);
    expect(rulesOf(fakeRun([...CLEAN.slice(0, 6), ev('disconnected', { reason: 'close timeout', graceful: false })]))).toEqual([]);
    expect(rulesOf(fakeRun([...CLEAN.slice(0, 4), ev('disconnected', { reason: 'connection closed by server', graceful: true })]))).toContain('graceful');
  });

  it('reports crashes, stream errors, API errors, hangs and late completion', () => {
    expect(rulesOf(fakeRun(CLEAN, { uncaught: ['uncaughtException: RangeError: boom'] }))).toEqual(['uncaught']);
    expect(rulesOf(fakeRun(CLEAN, { error: 'TypeError: x' }))).toEqual(['observable-error']);
    expect(rulesOf(fakeRun(CLEAN, { appErrors: ['TypeError: send'] }))).toEqual(['api-error']);
    expect(rulesOf(fakeRun(CLEAN.slice(0, -1), { hung: true, completed: false, completedAt: null }))).toEqual(['hang']);
    expect(rulesOf(fakeRun(CLEAN, { completedAt: 10 + VIRTUAL.closeTimeout + 1001 + VIRTUAL.connectTimeout }))).toEqual(['late']);
  });

  it('reports sockets and timers left behind, event-loop stalls and memory beyond what was received', () => {
    expect(rulesOf(fakeRun(CLEAN, { connectionLeft: true }))).toEqual(['connection-left']);
    expect(rulesOf(fakeRun(CLEAN, { resourcesLeft: ['Timeout×1'] }))).toEqual(['resources-left']);
    const stalled = fakeRun(CLEAN);
    stalled.log.maxStall = 5000;
    expect(rulesOf(stalled)).toEqual(['stall']);
    const bloated = fakeRun(CLEAN);
    bloated.log.peakArrayBuffers = 100 * 1024 * 1024;
    expect(rulesOf(bloated)).toEqual(['memory']);
  });

  it('checks what the client sent: masked frames, nothing after its close', () => {
    const unmasked = fakeRun(CLEAN);
    unmasked.log.clientFrames.splice(0, 1, frame(8, [0x03, 0xe8], false));
    expect(rulesOf(unmasked)).toEqual(['client-frames']);
    const chatty = fakeRun(CLEAN);
    chatty.log.clientFrames.push(frame(1, [0x61]));
    expect(rulesOf(chatty)).toEqual(['client-frames', 'echo']); // after its close, and not the application's
  });

  it('checks the answers: pongs carry a ping payload, echoes are the messages received', () => {
    const withPing = [...CLEAN.slice(0, 4), ev('ping', { data: Uint8Array.of(1, 2) }), ...CLEAN.slice(4)];
    const ponged = fakeRun(withPing, {}, makeScenario({ frames: [{ kind: 'control', opcode: 9, payload: Uint8Array.of(1, 2) }, { kind: 'close', code: 1000, reason: new Uint8Array(0) }] }));
    ponged.log.clientFrames.unshift(frame(0xa, [1, 2]));
    expect(rulesOf(ponged)).toEqual([]);
    ponged.log.clientFrames.unshift(frame(0xa, [3]));
    expect(rulesOf(ponged)).toEqual(['pong']);
    const echoScenario = makeScenario({ client: { echo: true }, frames: [{ kind: 'message', opcode: 2, payload: Uint8Array.of(5), invalid: null, cuts: [], compress: false, pings: [] }, { kind: 'close', code: 1000, reason: new Uint8Array(0) }] });
    const echoed = fakeRun([...CLEAN.slice(0, 4), ev('binary', { data: Uint8Array.of(5) }), ...CLEAN.slice(4)], {}, echoScenario);
    echoed.log.clientFrames.unshift(frame(2, [5]));
    expect(rulesOf(echoed)).toEqual([]);
    echoed.log.clientFrames.splice(0, 1, frame(2, [6]));
    expect(rulesOf(echoed)).toEqual(['echo']);
  });

  it('requires the latest ping answered while the connection stays open (RFC 6455 §5.5.2, §5.5.3)', () => {
    const pinged = makeScenario({ frames: [{ kind: 'control', opcode: 9, payload: Uint8Array.of(1) }, { kind: 'control', opcode: 9, payload: Uint8Array.of(2) }] });
    const events = [...CLEAN.slice(0, 4), ev('ping', { data: Uint8Array.of(1) }), ev('ping', { data: Uint8Array.of(2) }), ev('disconnected', { reason: 'close timeout', graceful: false })];
    // The application closed (its reason), the server never answered.
    const appClose = frame(8, [0x03, 0xe8, ...new TextEncoder().encode('fuzz done')]);
    const coalesced = fakeRun(events, {}, pinged);
    coalesced.log.clientFrames.splice(0, 1, frame(0xa, [2]), appClose);
    expect(rulesOf(coalesced)).toEqual([]);
    const unanswered = fakeRun(events, {}, pinged);
    unanswered.log.clientFrames.splice(0, 1, frame(0xa, [1]), appClose);
    expect(rulesOf(unanswered)).toEqual(['pong']);
  });

  it('requires what the closing handler sends to go out before the echo of the close (SPEC "Lifecycles")', () => {
    const bye = Array.from(new TextEncoder().encode('bye'));
    const said = fakeRun(CLEAN, { byeSent: true });
    said.log.clientFrames.unshift(frame(1, bye));
    expect(rulesOf(said)).toEqual([]);
    const late = fakeRun(CLEAN, { byeSent: true });
    late.log.clientFrames.push(frame(1, bye));
    expect(rulesOf(late)).toEqual(['client-frames', 'echo']);
    expect(rulesOf(fakeRun(CLEAN, { byeSent: true }))).toEqual(['echo']);
  });

  it('requires every message accepted to go out before the close frame (SPEC: "a close never overtakes queued data")', () => {
    expect(rulesOf(fakeRun(CLEAN, { accepted: 1 }))).toEqual(['lost']);
    const failed = [...CLEAN.slice(0, 4), ev('protocol_error'), ev('disconnected', { reason: 'connection closed by server', graceful: false })];
    expect(rulesOf(fakeRun(failed, { accepted: 1 }))).not.toContain('lost');
  });

  it('holds the handshake to the verdict and the frames to the model', () => {
    const refused = [ev('connecting'), ev('connected'), ev('rejected'), ev('disconnected', { reason: 'rejected', graceful: true })];
    expect(rulesOf(fakeRun(refused))).toEqual(['handshake']);
    const wrongText = [...CLEAN.slice(0, 4), ev('text', { text: 'invented' }), ...CLEAN.slice(4)];
    expect(rulesOf(fakeRun(wrongText))).toEqual(['model']);
    const wrongEcho = fakeRun(CLEAN);
    wrongEcho.log.clientFrames.splice(0, 1, frame(8, [0x03, 0xea]));
    expect(rulesOf(wrongEcho)).toEqual(['close-code']);
  });
});

describe('KNOWN_DEFECTS', () => {
  const guard = new ProcessGuard();
  beforeAll(() => guard.install());
  afterAll(() => guard.uninstall());

  // With no defect known, the fuzz suite excuses no violation at all (`.each` refuses an empty table).
  if (KNOWN_DEFECTS.length === 0) {
    it('excuses nothing while no defect is known', async () => {
      const run = await runCase(FIXED_DEFECTS[0]!.reproduction, virtualDriver, guard, activeResources());
      const violation = { rule: 'sequence', detail: 'closed without a close frame sent' };
      expect(unexplained(run, [violation])).toEqual({ rest: [violation], by: new Set() });
    });
    return;
  }
  it.each(KNOWN_DEFECTS.map((defect) => [defect.id, defect] as const))(
    '%s still reproduces (once fixed, delete its entry in spec/fuzz/known-defects.ts)',
    async (id, defect) => {
      if (defect.stillThere !== undefined) {
        if (!defect.stillThere()) throw new Error(`${id} no longer reproduces: delete its entry from KNOWN_DEFECTS`);
        return;
      }
      const run = await runCase(defect.reproduction, virtualDriver, guard, activeResources());
      const violations = judge(run);
      if (!violations.some((v) => defect.explains(run, v, violations))) throw new Error(`${id} no longer reproduces: delete its entry from KNOWN_DEFECTS\n${describeRun(run, violations)}`);
      expect(unexplained(run, violations).rest).toEqual([]);
    },
    60_000,
  );
});

describe('fixed defects', () => {
  const guard = new ProcessGuard();
  beforeAll(() => guard.install());
  afterAll(() => guard.uninstall());

  it.each(FIXED_DEFECTS.map((defect) => [defect.id, defect] as const))('%s stays fixed', async (_id, defect) => {
    const run = await runCase(defect.reproduction, virtualDriver, guard, activeResources());
    expect(judge(run)).toEqual([]);
  });
});
