import { encodeFrame } from '../helpers/frames.js';
import { Opcode } from '../../lib/core/opcode.js';
import type { ClientFrame } from '../../lib/testing/client-frame-reader.js';
import { harness } from '../helpers/protocol-harness.js';

const hex = (text: string): Uint8Array => Uint8Array.from(text.split(/\s+/).filter(Boolean), (byte) => parseInt(byte, 16));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

const closeCodeOf = (frame: ClientFrame): number => (frame.payload[0]! << 8) | frame.payload[1]!;

describe('ClientProtocol', () => {
  describe('RFC 6455 §1.4, §5.5.1: nothing after the peer\'s Close frame is processed', () => {
    // §1.4: "after receiving a control frame indicating the connection should be closed, a peer discards any further
    // data received." §5.5.1: "the endpoint MUST send a Close frame in response ... typically echoing the status code".
    it.each([
      ['an invalid frame header (ff ff)', '88 02 03 e8 ff ff'],
      ['a frame with RSV1 set (c1 00)', '88 02 03 e8 c1 00'],
    ])('ignores %s after a Close frame in the same chunk, split or not, and echoes 1000', (_, text) => {
      const bytes = hex(text);
      const splits: Uint8Array[][] = [[bytes], ...Array.from({ length: bytes.length - 1 }, (__, i) => [bytes.subarray(0, i + 1), bytes.subarray(i + 1)])];
      for (const chunks of splits) {
        const { protocol, seen, sink } = harness();
        for (const chunk of chunks) protocol.receive(chunk);
        protocol.receive(hex('ff ff 81 01 61'));
        expect(seen).toEqual([['close', 1000, '', true]]);
        expect(protocol.state).toBe('closing');
        protocol.echoClose();
        expect(sink.frames.map((frame) => [frame.opcode, frame.masked, closeCodeOf(frame)])).toEqual([[Opcode.CLOSE, true, 1000]]);
        expect(protocol.state).toBe('closed');
      }
    });

    it('releases a message still in progress when the Close frame arrives', () => {
      const { protocol, seen } = harness();
      protocol.receive(hex('02 03 01 02 03'));
      expect(protocol.bufferedBytes).toBeGreaterThan(0);
      protocol.receive(hex('88 00 80 01 04'));
      expect(protocol.bufferedBytes).toBeLessThanOrEqual(8);
      expect(seen).toEqual([['close', 1005, '', true]]);
    });

    it('delivers what came before the Close frame in the same chunk', () => {
      const { protocol, seen } = harness();
      protocol.receive(hex('81 02 68 69 89 00 88 00 81 01 61'));
      expect(seen).toEqual([['text', 'hi'], ['ping', ''], ['close', 1005, '', true]]);
    });
  });

  describe('RFC 6455 §5.5.2, §5.5.3: automatic pongs', () => {
    it('answers every ping at once while the sink takes writes', () => {
      const { protocol, seen, sink } = harness();
      protocol.receive(hex('89 01 01 89 01 02'));
      expect(sink.frames.map((frame) => [frame.opcode, [...frame.payload]])).toEqual([
        [Opcode.PONG, [1]],
        [Opcode.PONG, [2]],
      ]);
      expect(seen).toEqual([['ping', '01'], ['ping', '02']]);
    });

    it('answers only the latest ping once the sink drained, and still reports every ping', () => {
      // "the endpoint MAY elect to send a Pong frame for only the most recently processed Ping frame"
      const { protocol, seen, sink } = harness();
      sink.needsDrain = true;
      const chunk = hex('89 01 01 89 02 02 02 89 7d');
      protocol.receive(chunk);
      protocol.receive(new Uint8Array(125).fill(3));
      chunk.fill(0); // the pending payload is a copy
      expect(sink.frames).toEqual([]);
      expect(seen.map((event) => event[0])).toEqual(['ping', 'ping', 'ping']);
      sink.needsDrain = false;
      protocol.drained();
      expect(sink.frames.map((frame) => [frame.opcode, frame.payload.length, frame.payload[124]])).toEqual([[Opcode.PONG, 125, 3]]);
      protocol.drained();
      expect(sink.frames).toHaveLength(1);
    });

    it('keeps a thousand pings behind a full sink to one pending pong', () => {
      const { protocol, sink } = harness();
      sink.needsDrain = true;
      for (let i = 0; i < 1000; i++) protocol.receive(encodeFrame(Opcode.PING, Uint8Array.of(i & 0xff, i >> 8), null));
      sink.needsDrain = false;
      protocol.drained();
      expect(sink.frames.map((frame) => [...frame.payload])).toEqual([[999 & 0xff, 999 >> 8]]);
    });

    it('forgets the pending pong when a later ping is answered directly', () => {
      const { protocol, sink } = harness();
      sink.needsDrain = true;
      protocol.receive(hex('89 01 01'));
      sink.needsDrain = false;
      protocol.receive(hex('89 01 02'));
      protocol.drained();
      expect(sink.frames.map((frame) => [...frame.payload])).toEqual([[2]]);
    });

    it('still sends the pending pong after our own close (RFC 6455 §5.5.2), but not after the peer\'s close or a failure', () => {
      const closing = harness();
      closing.sink.needsDrain = true;
      closing.protocol.receive(hex('89 01 01'));
      closing.protocol.sendClose(1000, 'bye');
      closing.sink.needsDrain = false;
      closing.protocol.drained();
      expect(closing.sink.frames.map((frame) => frame.opcode)).toEqual([Opcode.CLOSE, Opcode.PONG]);

      const closedByPeer = harness();
      closedByPeer.sink.needsDrain = true;
      closedByPeer.protocol.receive(hex('89 01 01 88 02 03 e8'));
      closedByPeer.protocol.drained();
      expect(closedByPeer.sink.frames).toEqual([]);

      const failing = harness();
      failing.sink.needsDrain = true;
      failing.protocol.receive(hex('89 01 01 83 00'));
      failing.protocol.drained();
      expect(failing.sink.frames).toEqual([]);
      expect(failing.seen.at(-1)).toEqual(['protocol_error', 'invalid opcode 0x3', 1002, false]);
    });

    it('sends no pong at all without autoPong', () => {
      const { protocol, sink } = harness({ autoPong: false });
      sink.needsDrain = true;
      protocol.receive(hex('89 01 01'));
      protocol.drained();
      expect(sink.frames).toEqual([]);
    });
  });

  describe('RFC 6455 §10.4: memory follows the bytes received', () => {
    it('holds well under a KiB for a frame that announces 100 MiB and sends 5 bytes', () => {
      const { protocol, seen } = harness({ maxPayload: 200 << 20, maxMessageSize: 200 << 20 });
      protocol.receive(hex('82 7f 00 00 00 00 06 40 00 00 01 02 03 04 05'));
      expect(protocol.bufferedBytes).toBeLessThan(1024);
      expect(seen).toEqual([]);
    });

    it('fails with 1009 at the header of a frame over maxPayload, before any of it is held', () => {
      const { protocol, seen } = harness({ maxPayload: 1 << 20 });
      protocol.receive(hex('82 7f 00 00 00 00 06 40 00 00 01 02 03'));
      expect(seen).toEqual([['protocol_error', 'frame payload of 104857600 bytes exceeds 1048576', 1009, false]]);
      expect(protocol.bufferedBytes).toBe(0);
    });
  });

  describe('text and binary messages', () => {
    it('delivers a fragmented text message, with UTF-8 split across fragments', () => {
      const { protocol, seen } = harness();
      const euro = utf8('€'); // e2 82 ac
      protocol.receive(Uint8Array.from([0x01, 0x02, 0x61, euro[0]!, 0x80, 0x02, euro[1]!, euro[2]!]));
      expect(seen).toEqual([['text', 'a€']]);
    });

    it('delivers compressed messages still deflated when compression was negotiated', () => {
      const { protocol, seen } = harness({ compression: true });
      protocol.receive(hex('c1 02 ff 00 82 01 07'));
      expect(seen).toEqual([
        ['compressed', Opcode.TEXT, 'ff00'],
        ['binary', '07'],
      ]);
    });

    it('fails with 1009 when a text message is longer than a string can be', () => {
      const codec = {
        byteLength: (text: string) => text.length,
        write: () => 0,
        decode: (bytes: Uint8Array): string => {
          if (bytes.length > 2) throw Object.assign(new Error('Cannot create a string longer than 0x1fffffe8 characters'), { code: 'ERR_STRING_TOO_LONG' });
          return 'ok';
        },
      };
      const { protocol, seen } = harness({ codec });
      protocol.receive(hex('81 02 61 62 81 03 61 62 63 81 01 61'));
      expect(seen).toEqual([['text', 'ok'], ['protocol_error', 'text message of 3 bytes is too large to decode', 1009, false]]);
    });

    it('fails with 1007 on invalid UTF-8 and reports nothing after it', () => {
      const { protocol, seen } = harness();
      protocol.receive(hex('81 01 ff 81 01 61'));
      expect(seen).toEqual([['protocol_error', 'invalid utf-8', 1007, false]]);
      expect(protocol.state).toBe('failed');
    });
  });
});
