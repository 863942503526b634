/**
 * KNOWN_DEFECTS: the ONE place where the fuzz suite excuses failures.
 *
 * Each entry stands for one defect of lib/ that is known and being fixed. A
 * case whose violations an entry `matches` passes, counted under the entry's
 * id; `skip` keeps cases from running at all while the defect would make
 * each take seconds. Every entry carries a minimal `reproduction`:
 * spec/fuzz/harness.spec.ts replays it and fails once it no longer shows the
 * defect — when a fix lands, delete its entry here (that test names it).
 */
import { utf8 } from './bytes.js';
import type { FrameSpec } from './frame-arbitraries.js';
import { validSwitch } from './handshake-arbitraries.js';
import type { Violation } from './oracle.js';
import type { CaseRun } from './run-case.js';
import { makeScenario, type Scenario } from './scenario.js';

/** One known defect. */
export interface KnownDefect {
  readonly id: string;
  /** The defect, as reported, and where it was reported. */
  readonly description: string;
  /** True when this defect explains the case's violations. */
  matches(run: CaseRun, violations: readonly Violation[]): boolean;
  /** Cases not run at all while the defect stands (they would take seconds each). */
  readonly skip?: (scenario: Scenario) => boolean;
  /** A minimal case that shows the defect, on the virtual driver. */
  readonly reproduction: Scenario;
}

/** The header lines of a case's response. */
function headerLines(scenario: Scenario): string[] {
  const response = scenario.response;
  const headers = response.kind === 'refuse' ? response.headers : response.kind === 'switch' || response.kind === 'truncated' ? response.head.extra : [];
  return headers.map((header) => `${header.name}:${header.value}`);
}

/** True when a header line holds at least `spaces` SP/HTAB and a byte no field value may hold. */
const spacedBadLine = (scenario: Scenario, spaces: number): boolean =>
  headerLines(scenario).some((line) => (line.match(/[\t ]/g)?.length ?? 0) >= spaces && /[^\t\x20-\x7e\x80-\xff]/.test(line));

/** True when a hand-built frame of the case announces a payload of a MiB or more. */
const announcesMiB = (scenario: Scenario): boolean => scenario.frames.some((frame) => frame.kind === 'raw' && frame.declared !== null && frame.declared >= 1n << 20n);

const rules = (violations: readonly Violation[], rule: string): Violation[] => violations.filter((v) => v.rule === rule);
const only = (violations: readonly Violation[], allowed: readonly string[]): boolean => violations.every((v) => allowed.includes(v.rule));

const raw = (opcode: number, declared: bigint | null, payload = new Uint8Array(4)): FrameSpec => ({ kind: 'raw', opcode, fin: true, rsv: 0, mask: false, declared, payload });
const close = (code: number): FrameSpec => ({ kind: 'close', code, reason: new Uint8Array(0) });
const deflated = validSwitch({ extensions: { value: 'permessage-deflate', verdict: 'valid', serverWindowBits: 15 } });

/** The known defects. */
export const KNOWN_DEFECTS: readonly KnownDefect[] = [
  // --- listed in the fuzz task (being fixed: lib/core by the core helper, the session side by the lead) ---
  {
    id: 'bytes-after-close',
    description: "bytes after the server's Close in the same chunk are still parsed (88 02 03 e8 ff ff → closing, closed, protocol_error, no echo)",
    matches: (run) => {
      const closing = run.events.findIndex((e) => e.name === 'closing');
      return closing >= 0 && run.events.slice(closing).some((e) => e.name === 'protocol_error');
    },
    reproduction: makeScenario({ frames: [close(1000), { kind: 'garbage', bytes: Uint8Array.of(0xff, 0xff) }] }),
  },
  {
    id: 'receive-crash',
    description: 'a non-ProtocolError in the receive path crashes the process (maxPayload 2**41 with a frame announcing 2^40 bytes: RangeError from Buffer.allocUnsafe, uncaught)',
    matches: (_run, violations) => rules(violations, 'uncaught').some((v) => /RangeError|allocation failed|Invalid typed array length|ERR_OUT_OF_RANGE/.test(v.detail)),
    reproduction: makeScenario({ client: { maxPayload: 2 ** 41, maxMessageSize: 2 ** 41 }, frames: [raw(2, 2n ** 40n)] }),
  },
  {
    id: 'reset-after-close',
    description: "disconnected graceful=false with 'read ECONNRESET' after a completed close handshake when the server RSTs",
    matches: (_run, violations) => rules(violations, 'graceful').some((v) => v.detail.includes('after a completed close handshake') && /ECONNRESET|EPIPE/.test(v.detail)),
    reproduction: makeScenario({ frames: [close(1000)], server: { onClientClose: 'echo-reset' } }),
  },
  {
    id: 'interim-1xx',
    description: '1xx interim responses before the 101 fail the handshake (RFC 9110 §15.2: a client MUST be able to parse them)',
    matches: (run, violations) =>
      run.scenario.response.kind === 'switch' && run.scenario.response.interim.length > 0 && rules(violations, 'handshake').some((v) => /got 10[0-3]/.test(v.detail)),
    reproduction: makeScenario({ response: { ...(validSwitch() as Extract<Scenario['response'], { kind: 'switch' }>), interim: [{ status: 100, headers: [] }] } }),
  },
  // --- not in the fuzz task's list, but already in the core helper's brief (h1-core items 1 and 5) ---
  {
    id: 'header-regex-backtracking',
    description:
      'lib/core/http-response-reader.ts HEADER_LINE (`:[\\t ]*(…*?)[\\t ]*$`) backtracks cubically on a header line of spaces then a byte outside the value class: 2,000 spaces and \\x01 block the event loop for seconds, 4,000 for ~40 s, a 16 KiB head for hours',
    matches: (run, violations) => spacedBadLine(run.scenario, 60) && rules(violations, 'stall').length > 0 && only(violations, ['stall', 'late', 'hang']),
    skip: (scenario) => spacedBadLine(scenario, 200),
    reproduction: makeScenario({ response: validSwitch({ extra: [{ name: 'X-Spaces', value: `${' '.repeat(1800)}\x01` }] }) }),
  },
  {
    id: 'alloc-by-announcement',
    description:
      'FrameParser allocates the whole payload a frame header announces before the bytes arrive: a 10-byte header announcing 100 MiB (default limits) makes the client hold 100 MiB, one announcing 2 GiB (limits 2^41) 2 GiB',
    matches: (run, violations) => announcesMiB(run.scenario) && rules(violations, 'memory').length > 0 && only(violations, ['memory', 'stall']),
    reproduction: makeScenario({ client: { maxPayload: undefined, maxMessageSize: undefined }, frames: [raw(2, 100n << 20n)] }),
  },
  // --- found by this suite ---
  {
    id: 'deflate-later-fault-wins',
    description:
      'with permessage-deflate, when a compressed message must fail once inflated (invalid data, too big, bad UTF-8) and a later frame of the same read fails synchronously, the messages between them are delivered and the later fault and its close code are reported: the compressed message’s own fault is dropped (lib/operators/inflate.ts fail(): "a later frame already failed it: its events follow")',
    matches: (_run, violations) =>
      violations.length > 0 && violations.every((v) => (v.rule === 'model' || v.rule === 'close-code') && v.detail.includes('after an inflated message that must fail')),
    reproduction: makeScenario({
      client: { compress: true },
      response: deflated,
      frames: [{ kind: 'bad-deflate', tail: new Uint8Array(0) }, { kind: 'message', opcode: 1, payload: utf8('after'), invalid: null, cuts: [], compress: false, pings: [] }, raw(3, null, new Uint8Array(0))],
    }),
  },
];
