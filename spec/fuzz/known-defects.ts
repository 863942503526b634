/**
 * KNOWN_DEFECTS: the ONE place where the fuzz suite excuses failures.
 *
 * Each entry stands for one defect of lib/ that is known and being fixed, and
 * `explains` the violations it causes. A case passes when every one of its
 * violations is explained by some entry (it is counted under those entries);
 * `skip` keeps cases from running at all while the defect would make each
 * take seconds. Every entry carries a minimal `reproduction`:
 * spec/fuzz/oracle.spec.ts replays it and fails once it no longer shows the
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
  /** True when this defect explains `violation`, one of the case's `violations`. */
  explains(run: CaseRun, violation: Violation, violations: readonly Violation[]): boolean;
  /** Cases not run at all while the defect stands (they would take seconds each). */
  readonly skip?: (scenario: Scenario) => boolean;
  /** A minimal case that shows the defect, on the virtual driver. */
  readonly reproduction: Scenario;
  /**
   * When running the reproduction through the oracle would cost seconds, a cheaper check that the defect is still
   * there (oracle.spec.ts uses it instead).
   */
  readonly stillThere?: () => boolean;
}

const raw = (opcode: number, declared: bigint | null, payload = new Uint8Array(4)): FrameSpec => ({ kind: 'raw', opcode, fin: true, rsv: 0, mask: false, declared, payload });
const close = (code: number): FrameSpec => ({ kind: 'close', code, reason: new Uint8Array(0) });
const deflated = validSwitch({ extensions: { value: 'permessage-deflate', verdict: 'valid', serverWindowBits: 15 } });

/** The known defects. */
export const KNOWN_DEFECTS: readonly KnownDefect[] = [
  // --- found by this suite ---
  {
    id: 'rejected-without-body',
    description: 'the rejected event has no body (SPEC "Events": rejected carries body: Uint8Array, the first bytes of a non-101 body, ≤ 4 KiB, empty if none)',
    explains: (_run, violation) => violation.rule === 'handshake' && violation.detail === 'rejected has no body (SPEC: body: Uint8Array)',
    reproduction: makeScenario({ response: { kind: 'refuse', version: 'HTTP/1.1', status: 403, reason: 'Forbidden', headers: [], body: utf8('go away'), contentLength: 'exact' } }),
  },
  {
    id: 'poll-stamped-late',
    description:
      'receivedTime goes back within one chunk: keepalive splices poll(now()) right after ready, stamped after the frame operator stamped the chunk’s messages (ready@t0, poll@t2, text@t1 with t1 < t2 when the millisecond ticks in between)',
    explains: (_run, violation) => violation.rule === 'sequence' && /^receivedTime went back: poll@/.test(violation.detail),
    reproduction: makeScenario({ client: { tickingClock: true }, frames: [{ kind: 'message', opcode: 1, payload: utf8('hi'), invalid: null, cuts: [], compress: false, pings: [] }] }),
  },
  {
    id: 'inflated-stamped-late',
    description:
      'receivedTime goes back with permessage-deflate: an inflated message is stamped when zlib finishes (operators/inflate.ts), the frames after it when their chunk arrived (operators/frame.ts), and they are emitted after it: text@t2 then closed@t1 with t1 < t2',
    explains: (run, violation) =>
      violation.rule === 'sequence' && /^receivedTime went back: (text|binary)@/.test(violation.detail) && run.events.some((e) => e.name === 'ready' && e.extensions.size > 0),
    reproduction: makeScenario({
      client: { compress: true, tickingClock: true },
      response: deflated,
      frames: [{ kind: 'message', opcode: 1, payload: utf8('hi'), invalid: null, cuts: [], compress: true, pings: [] }, { kind: 'control', opcode: 9, payload: new Uint8Array(0) }],
    }),
  },
  {
    id: 'deflate-later-fault-wins',
    description:
      'with permessage-deflate, when a compressed message must fail once inflated (invalid data, too big, bad UTF-8) and a later frame of the same read fails synchronously, the messages between them are delivered and the later fault and its close code are reported: the compressed message’s own fault is dropped (lib/operators/inflate.ts fail(): "a later frame already failed it: its events follow")',
    explains: (_run, violation) => (violation.rule === 'model' || violation.rule === 'close-code') && violation.detail.includes('after an inflated message that must fail'),
    reproduction: makeScenario({
      client: { compress: true },
      response: deflated,
      frames: [{ kind: 'bad-deflate', tail: new Uint8Array(0) }, { kind: 'message', opcode: 1, payload: utf8('after'), invalid: null, cuts: [], compress: false, pings: [] }, raw(3, null, new Uint8Array(0))],
    }),
  },
  // Last: its 64 MiB inflation keeps a zlib thread busy for a while after the case, which slows the next one.
  {
    id: 'close-timer-before-close-sent',
    description:
      'with permessage-deflate, closeTimeout starts when a fault is detected, while the close frame (and the protocol_error, and the messages before the fault) wait behind the inflation of earlier messages: when inflating takes longer than closeTimeout, the session ends disconnected("close timeout") without having sent its close frame or reported the fault',
    explains: (run, violation) => violation.rule === 'close-timeout' && run.events.some((e) => e.name === 'ready' && e.extensions.size > 0),
    reproduction: makeScenario({
      client: { compress: true, maxPayload: undefined, maxMessageSize: undefined },
      response: deflated,
      frames: [{ kind: 'bomb', size: 64 << 20 }, close(5000)],
    }),
  },
];

/** The violations no known defect explains, and the ids of the defects that explained the others. */
export function unexplained(run: CaseRun, violations: readonly Violation[]): { rest: Violation[]; by: Set<string> } {
  const by = new Set<string>();
  const rest = violations.filter((violation) => {
    const defect = KNOWN_DEFECTS.find((d) => d.explains(run, violation, violations));
    if (defect !== undefined) by.add(defect.id);
    return defect === undefined;
  });
  return { rest, by };
}
