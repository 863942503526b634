/**
 * A reference model of RFC 6455/7692 at the level of frame scripts: what a
 * correct client reports for an unmutated script (messages, pings, pongs,
 * the server's close) and where and with which close code it must fail.
 * Written from the RFCs and SPEC.md, not from lib/, so that it can disagree.
 * Hand-built frames are modelled by their header (a header that breaks a rule
 * fails the connection); after a valid hand-built frame or garbage the model
 * stops, and what it expected so far is only a prefix.
 */
import { bombBytes, deflateMessage, messageBytes, messageFragments, type FrameSpec, type MessageSpec, type ServerDeflate } from './frame-arbitraries.js';
import type { ClientConfig } from './scenario.js';
import { hex } from './bytes.js';

/** A client event, reduced to what the model predicts. */
export type Observed = readonly [name: 'text' | 'binary' | 'ping' | 'pong' | 'closing', ...detail: Array<string | number>];

/** What the client reports for a script. */
export interface Expectation {
  /** The events, in order. */
  readonly events: Observed[];
  /** How the script leaves the connection: the server closed, a fault, or still open. */
  readonly end:
    | { readonly kind: 'close'; readonly code: number }
    /**
     * `inflated`: the fault shows only once a compressed message was inflated (asynchronously). `critical`: the
     * client may also drop the connection at once, without a close frame (a masked frame, a broken length).
     */
    | {
        readonly kind: 'fault';
        readonly codes: readonly number[];
        readonly inflated?: boolean;
        /** With `inflated`: the event of the message that must fail, had it been delivered (it must not be). */
        readonly message?: Observed;
        readonly critical?: boolean;
      }
    | { readonly kind: 'open' };
  /** False when the model stopped at an item it does not model: `events` is then only a prefix of what may come. */
  readonly exact: boolean;
}

const MiB = 1024 * 1024;
const decoder = new TextDecoder();

/**
 * Index of the byte at which a fail-fast UTF-8 validator must reject `bytes` (Unicode 15 table 3-7); `bytes.length`
 * when they end inside a sequence; -1 when they are valid.
 */
export function firstInvalid(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return bytes.length;
      const c = bytes[i + k]!;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i + k;
    }
    i += need + 1;
  }
  return -1;
}

/** The model's form of a client event (see {@link Observed}). */
export function observed(name: Observed[0], data: Uint8Array | string, extra?: number): Observed {
  const detail = typeof data === 'string' ? data : hex(data, 64) + `/${data.length}`;
  return extra === undefined ? [name, detail] : [name, extra, detail];
}

class Walk {
  readonly events: Observed[] = [];
  end: Expectation['end'] = { kind: 'open' };
  exact = true;
  private readonly maxPayload: number;
  private readonly maxMessage: number;

  constructor(
    client: ClientConfig,
    private readonly deflate: ServerDeflate | null,
  ) {
    this.maxPayload = client.maxPayload ?? 100 * MiB;
    this.maxMessage = client.maxMessageSize ?? 100 * MiB;
  }

  private fault(...codes: number[]): false {
    this.end = { kind: 'fault', codes };
    return false;
  }

  /** Codes for a control frame over 125 bytes: 1002, or 1009 if it is also over maxPayload (either check may come first). */
  private tooLong(length: number): number[] {
    return length > this.maxPayload ? [1002, 1009] : [1002];
  }

  /** A fault found once `message` (its event, had it been delivered) is inflated. */
  private inflateFault(message: Observed | null, ...codes: number[]): false {
    this.end = message === null ? { kind: 'fault', codes, inflated: true } : { kind: 'fault', codes, inflated: true, message };
    return false;
  }

  /** One item; false once the connection is over (closed, failed) or the model gives up. */
  step(spec: FrameSpec): boolean {
    switch (spec.kind) {
      case 'message':
        return this.message(spec);
      case 'control':
        // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less".
        if (spec.payload.length > 125) return this.fault(...this.tooLong(spec.payload.length));
        this.events.push(observed(spec.opcode === 9 ? 'ping' : 'pong', spec.payload));
        return true;
      case 'close':
        return this.close(spec.code, spec.reason);
      case 'bomb':
      case 'bad-deflate': {
        // RFC 6455 §5.2: RSV1 without a negotiated extension fails the connection.
        if (this.deflate === null) return this.fault(1002);
        if (spec.kind === 'bad-deflate') return this.inflateFault(null, 1002, 1007); // RFC 7692 names no code; SPEC's lomond uses 1007
        if (bombBytes(spec.size, this.deflate.serverWindowBits).length > this.maxPayload) return this.fault(1009);
        if (spec.size > this.maxMessage) return this.inflateFault(observed('binary', new Uint8Array(spec.size)), 1009);
        this.events.push(observed('binary', new Uint8Array(spec.size)));
        return true;
      }
      case 'announce':
        // RFC 6455 §10.4 / SPEC maxPayload: too large is 1009 at the header; otherwise the client waits for the rest.
        if (spec.declared > BigInt(this.maxPayload)) return this.fault(1009);
        if (spec.declared > BigInt(this.maxMessage)) return this.fault(1009);
        this.exact = false;
        return false;
      case 'raw':
        return this.raw(spec);
      case 'garbage':
        this.exact = false;
        return false;
    }
  }

  /**
   * A hand-built frame: its header alone decides when it breaks a rule (then the codes of every rule it breaks, as
   * the order of the checks is the client's); a valid one is not modelled further.
   */
  private raw(spec: Extract<FrameSpec, { kind: 'raw' }>): boolean {
    const declared = spec.declared ?? BigInt(spec.payload.length);
    const control = spec.opcode >= 8;
    const codes = new Set<number>();
    let critical = false;
    // RFC 6455 §5.1: "A client MUST close a connection if it detects a masked frame." (lomond: at once, no close frame)
    if (spec.mask) critical = true;
    // §5.2: the most significant bit of a 64-bit length "MUST be 0" (lomond: critical, the framing cannot be trusted).
    if (declared >= 1n << 63n) critical = true;
    // §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_."
    if ((spec.opcode >= 3 && spec.opcode <= 7) || spec.opcode >= 0xb) codes.add(1002);
    // §5.2: RSV bits "MUST be 0 unless an extension is negotiated that defines meanings for non-zero values".
    const rsv1Data = spec.rsv === 4 && this.deflate !== null && (spec.opcode === 1 || spec.opcode === 2);
    if (spec.rsv !== 0 && !rsv1Data) codes.add(1002);
    // §5.5: control frames are ≤ 125 bytes and never fragmented; §5.4: a continuation needs a message to continue.
    if (control && (!spec.fin || declared > 125n)) codes.add(1002);
    if (spec.opcode === 0) codes.add(1002);
    if (declared > BigInt(this.maxPayload) && declared < 1n << 63n) codes.add(control ? 1002 : 1009);
    if (!control && declared > BigInt(this.maxMessage) && declared < 1n << 63n) codes.add(1009);
    if (codes.size === 0 && !critical) {
      this.exact = false; // a valid frame (or a compressed one): the rest is not modelled
      return false;
    }
    if (critical && codes.size === 0) codes.add(1002);
    this.end = { kind: 'fault', codes: [...codes].sort(), critical };
    return false;
  }

  private close(code: number | null, reason: Uint8Array): boolean {
    if (code === null) {
      this.events.push(['closing', 1005, '']);
      this.end = { kind: 'close', code: 1005 };
      return false;
    }
    // RFC 6455 §5.5: control payloads ≤ 125 bytes; §7.4: codes allowed on the wire; §5.5.1: the reason is UTF-8.
    if (reason.length + 2 > 125) return this.fault(...this.tooLong(reason.length + 2));
    const validCode = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    const validReason = firstInvalid(reason) < 0;
    if (!validCode && !validReason) return this.fault(1002, 1007);
    if (!validCode) return this.fault(1002);
    if (!validReason) return this.fault(1007);
    this.events.push(['closing', code, decoder.decode(reason)]);
    this.end = { kind: 'close', code };
    return false;
  }

  private message(spec: MessageSpec): boolean {
    const plain = messageBytes(spec);
    const compressed = spec.compress && this.deflate !== null;
    if (compressed) return this.compressedMessage(spec, plain);
    const sizes = messageFragments(spec, plain.length);
    const invalidAt = spec.opcode === 1 ? firstInvalid(plain) : -1;
    let received = 0;
    for (let i = 0; i < sizes.length; i++) {
      const size = sizes[i]!;
      if (size > this.maxPayload) return this.fault(1009); // the header alone decides
      received += size;
      const tooBig = received > this.maxMessage;
      // Fail-fast: the invalid byte arrived with this fragment (or, for a sequence cut short, with the last one).
      const badText = invalidAt >= 0 && (invalidAt < received || (invalidAt === plain.length && i === sizes.length - 1));
      if (tooBig && badText) return this.fault(1007, 1009);
      if (tooBig) return this.fault(1009);
      if (badText) return this.fault(1007);
      if (i < sizes.length - 1) this.pingsAfter(spec, i, sizes.length);
    }
    this.events.push(spec.opcode === 1 ? ['text', decoder.decode(plain)] : observed('binary', plain));
    return true;
  }

  private compressedMessage(spec: MessageSpec, plain: Uint8Array): boolean {
    const wireSize = deflateMessage(plain, this.deflate!.serverWindowBits).length;
    const sizes = messageFragments(spec, wireSize);
    for (let i = 0; i < sizes.length; i++) {
      if (sizes[i]! > this.maxPayload) return this.fault(1009);
      if (i < sizes.length - 1) this.pingsAfter(spec, i, sizes.length);
    }
    // Whether the compressed size alone counts against maxMessageSize is the client's choice: no claim then.
    if (wireSize > this.maxMessage && plain.length <= this.maxMessage) {
      this.exact = false;
      return false;
    }
    // Inflated after the last fragment: its size and its text are checked then.
    const tooBig = plain.length > this.maxMessage;
    const badText = spec.opcode === 1 && firstInvalid(plain) >= 0;
    const message: Observed = spec.opcode === 1 ? ['text', decoder.decode(plain)] : observed('binary', plain);
    if (tooBig && badText) return this.inflateFault(message, 1007, 1009);
    if (tooBig) return this.inflateFault(message, 1009);
    if (badText) return this.inflateFault(message, 1007);
    this.events.push(spec.opcode === 1 ? ['text', decoder.decode(plain)] : observed('binary', plain));
    return true;
  }

  private pingsAfter(spec: MessageSpec, fragment: number, count: number): void {
    for (const ping of spec.pings) if (ping.after % Math.max(1, count - 1) === fragment) this.events.push(observed('ping', ping.payload));
  }
}

/**
 * What a correct client reports for `frames` sent unmutated after a valid 101 that negotiated `deflate`.
 *
 * @param client - the limits the client was given
 */
export function expectFrames(frames: readonly FrameSpec[], client: ClientConfig, deflate: ServerDeflate | null): Expectation {
  const walk = new Walk(client, deflate);
  for (const spec of frames) if (!walk.step(spec)) break;
  return { events: walk.events, end: walk.end, exact: walk.exact };
}
