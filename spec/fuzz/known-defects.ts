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

const control = (opcode: 9 | 10, ...payload: number[]): FrameSpec => ({ kind: 'control', opcode, payload: Uint8Array.from(payload) });
/** `length` letters a–z from a fixed xorshift32: text that deflate compresses only to ≈ 60 %. */
const letters = (length: number): string => {
  let state = 7;
  let out = '';
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out += String.fromCharCode(97 + (state % 26));
  }
  return out;
};
const text = (payload: string, compress = false): FrameSpec => ({ kind: 'message', opcode: 1, payload: utf8(payload), invalid: null, cuts: [], compress, pings: [] });

/** A defect that was fixed: its reproduction must now pass the oracle with no violation at all (oracle.spec.ts). */
export interface FixedDefect {
  readonly id: string;
  /** What it was and how it was fixed. */
  readonly fix: string;
  readonly reproduction: Scenario;
}

export const FIXED_DEFECTS: readonly FixedDefect[] = [
  {
    id: 'poll-stamped-late',
    fix: 'the 101 and `81 02 68 69` in one chunk, the clock moving 1 ms at every read: keepalive stamped the first poll with now(), after the frame stage had stamped the chunk’s text (ready@t0, poll@t2, text@t1); the poll is now stamped as ready is',
    reproduction: makeScenario({ client: { tickingClock: true }, frames: [text('hi')] }),
  },
  {
    id: 'inflated-stamped-late',
    fix: 'pmd, a compressed text of 40,000 pseudo-random letters (≈ 24 KiB of deflate: inflated asynchronously) and an empty ping in one chunk: the inflated text was stamped when zlib finished, the ping when its chunk arrived (text@t2, ping@t1); an inflated message (or its failure) is now stamped when its frame arrived',
    reproduction: makeScenario({ client: { compress: true, tickingClock: true }, response: deflated, frames: [text(letters(40_000), true), control(9)] }),
  },
  {
    id: 'closed-before-echo-sent',
    fix: 'pmd, the application echoing every message; a plain text of 2,000 bytes (its echo compressed) and close 1000 in one chunk, then the server’s FIN at once: closed (and at the FIN disconnected graceful=true) was reported while the close echo still waited in the outbox behind the compressed echo, and the FIN dropped it unsent; `closed` is now delivered once our close frame left the outbox (held by the connection until then), and a TCP end before that is disconnected(graceful=false)',
    reproduction: makeScenario({ client: { compress: true, echo: true }, server: { after: 'end', closeAtOnce: true }, response: deflated, frames: [text('a'.repeat(2000)), close(1000)] }),
  },
  {
    id: 'deflate-later-fault-wins',
    fix: 'pmd, then `c2 01 07` (compressed, invalid deflate data) `81 05 61 66 74 65 72` (text "after") `83 00` (reserved opcode 3) in one chunk: the later frame failed the protocol while parsing went on, so the compressed message’s own fault was dropped once inflated, "after" was delivered and 1002 sent; the first fault in wire order now wins (ClientProtocol.failBefore: its close code is the one due, the later fault’s events behind it are dropped): protocol_error("invalid compressed data …") and 1007, "after" never delivered',
    reproduction: makeScenario({ client: { compress: true }, response: deflated, frames: [{ kind: 'bad-deflate', tail: new Uint8Array(0) }, text('after'), raw(3, null, new Uint8Array(0))] }),
  },
  {
    id: 'close-timer-before-close-sent',
    fix: 'pmd, closeTimeout 50 ms; three 64 MiB deflate bombs then close code 5000 (invalid) in one chunk: the close timer started at the fault while the protocol_error and its 1002 close waited behind the inflations, and after one extra closeTimeout the session ended disconnected("close timeout") with no close frame sent and no protocol_error; the timer now waits (parked) until the close frame is handed to the transport and counts closeTimeout from there',
    reproduction: makeScenario({
      client: { compress: true, maxPayload: undefined, maxMessageSize: undefined },
      response: deflated,
      frames: [{ kind: 'bomb', size: 64 << 20 }, { kind: 'bomb', size: 64 << 20 }, { kind: 'bomb', size: 64 << 20 }, close(5000)],
    }),
  },
];

/**
 * The known defects, each with its reproduction in the comment above it (bytes the server sends after a valid
 * 101, unless said otherwise; `pmd` = the 101 accepted permessage-deflate).
 */
export const KNOWN_DEFECTS: readonly KnownDefect[] = [
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
