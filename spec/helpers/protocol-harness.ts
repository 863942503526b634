/**
 * A ClientProtocol with a handler that records what it reports (payloads
 * copied) and a fake sink whose `needsDrain` tests set, decoding every frame
 * written with the test server's independent reader.
 */
import { isUtf8 } from 'node:buffer';
import type { ProtocolError } from '../../lib/core/errors.js';
import { ClientProtocol, type ClientProtocolOptions } from '../../lib/core/protocol.js';
import { ClientFrameReader, type ClientFrame } from '../../lib/testing/client-frame-reader.js';

/** What the handler saw; payloads as hex strings (copies: the protocol may hand out views of chunks). */
export type Seen =
  | ['text', string]
  | ['binary' | 'ping' | 'pong', string]
  | ['compressed', number, string]
  | ['close', number, string, boolean]
  | ['protocol_error', string, number, boolean];

/** Bytes as lowercase hex, e.g. `0aff`. */
export const hexOf = (data: Uint8Array): string => Buffer.from(data.buffer, data.byteOffset, data.length).toString('hex');

/** A writable sink whose `needsDrain` the test sets, recording every frame written (decoded by the test server's reader). */
export class FakeSink {
  needsDrain = false;
  readonly frames: ClientFrame[] = [];
  private readonly reader = new ClientFrameReader();
  write(data: Uint8Array): void {
    this.frames.push(...this.reader.push(data));
  }
}

/** A protocol with a recording handler and a fake sink; `options` overrides the defaults. */
export function harness(options: Partial<ClientProtocolOptions> = {}) {
  const seen: Seen[] = [];
  const sink = new FakeSink();
  const protocol = new ClientProtocol(
    {
      onText: (text) => void seen.push(['text', text]),
      onBinary: (data) => void seen.push(['binary', hexOf(data)]),
      onCompressed: (opcode, data) => void seen.push(['compressed', opcode, hexOf(data)]),
      onPing: (data) => void seen.push(['ping', hexOf(data)]),
      onPong: (data) => void seen.push(['pong', hexOf(data)]),
      onClose: (code, reason, initiatedByPeer) => void seen.push(['close', code, reason, initiatedByPeer]),
      onProtocolError: (error: ProtocolError) => void seen.push(['protocol_error', error.message, error.closeCode, error.critical]),
    },
    { maxPayload: 1 << 20, maxMessageSize: 1 << 20, compression: false, maskKey: () => new Uint8Array(4), output: sink, isUtf8, ...options },
  );
  return { protocol, seen, sink };
}

