import fc from 'fast-check';
import { HandshakeError } from '../../lib/core/errors.js';
import { HttpResponseReader } from '../../lib/core/http-response-reader.js';

/** Latin-1 text → bytes, one byte per character. */
const bytes = (text: string): Uint8Array => Uint8Array.from(text, (char) => char.charCodeAt(0));

const HEAD =
  'HTTP/1.1 101 Switching Protocols\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';
/** A text frame "hi" and the start of a ping, as a server would send right after the head. */
const FRAMES = [0x81, 0x02, 0x68, 0x69, 0x89];
const WIRE = Uint8Array.from([...bytes(HEAD), ...FRAMES]);

/** Feeds `chunks` in order; returns the first non-null result and how many chunks it took. */
function feed(reader: HttpResponseReader, chunks: Uint8Array[]) {
  for (let i = 0; i < chunks.length; i++) {
    const result = reader.push(chunks[i]!);
    if (result !== null) return { ...result, at: i, after: chunks.slice(i + 1) };
  }
  return null;
}

/** Splits `data` at the given sorted offsets. */
function split(data: Uint8Array, offsets: number[]): Uint8Array[] {
  const points = [0, ...offsets, data.length];
  return points.slice(1).map((end, i) => data.slice(points[i], end));
}

/** Bytes after the head across the chunk it ended in and the chunks after. */
const restOf = (result: NonNullable<ReturnType<typeof feed>>) => [...result.rest, ...result.after.flatMap((chunk) => [...chunk])];

function expectSwitchingProtocols(result: ReturnType<typeof feed>) {
  expect(result).not.toBeNull();
  const { response } = result!;
  expect(response.statusCode).toBe(101);
  expect(response.status).toBe('Switching Protocols');
  expect(response.rawHeaders).toEqual([
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='],
  ]);
  expect(restOf(result!)).toEqual(FRAMES);
}

describe('HttpResponseReader', () => {
  describe('incremental reading', () => {
    it('parses a head that arrives in one chunk and returns the frames after it as a view', () => {
      const result = new HttpResponseReader().push(WIRE);
      expectSwitchingProtocols(result && { ...result, at: 0, after: [] });
      expect(result!.rest.buffer).toBe(WIRE.buffer);
      expect(result!.rest.byteOffset).toBe(HEAD.length);
    });

    it('returns null until CRLF CRLF has arrived', () => {
      const reader = new HttpResponseReader();
      expect(reader.push(bytes('HTTP/1.1 101 Switching Protocols\r\n'))).toBeNull();
      expect(reader.push(bytes('Upgrade: websocket\r\n'))).toBeNull();
      expect(reader.push(new Uint8Array(0))).toBeNull();
      expect(reader.push(bytes('\r\n'))).not.toBeNull();
    });

    it('returns an empty rest when nothing follows the head', () => {
      const result = new HttpResponseReader().push(bytes(HEAD));
      expect(result!.rest).toEqual(new Uint8Array(0));
    });

    it('parses the head split at every offset', () => {
      for (let offset = 0; offset <= WIRE.length; offset++) {
        expectSwitchingProtocols(feed(new HttpResponseReader(), split(WIRE, [offset])));
      }
    });

    it('parses the head fed one byte at a time, ending at the last byte of the terminator', () => {
      const result = feed(new HttpResponseReader(), split(WIRE, [...Array(WIRE.length).keys()].slice(1)));
      expectSwitchingProtocols(result);
      expect(result!.at).toBe(HEAD.length - 1);
    });

    it('parses the head under any chunking', () => {
      fc.assert(
        fc.property(fc.uniqueArray(fc.integer({ min: 1, max: WIRE.length - 1 }), { maxLength: 12 }), (offsets) => {
          expectSwitchingProtocols(feed(new HttpResponseReader(), split(WIRE, offsets.sort((a, b) => a - b))));
        }),
      );
    });

    it('copies what it keeps, so callers may reuse their buffers', () => {
      const reader = new HttpResponseReader();
      const buffer = bytes('HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n');
      expect(reader.push(buffer)).toBeNull();
      buffer.fill(0x21);
      expect(reader.push(bytes('\r\n'))!.response.get('upgrade')).toBe('websocket');
    });

    it('does not mistake CR CR LF or LF LF for the end of the head', () => {
      const reader = new HttpResponseReader();
      expect(reader.push(bytes('HTTP/1.1 101 OK\r\r\n\n'))).toBeNull();
    });

    it('starts over after a complete head', () => {
      const reader = new HttpResponseReader();
      expect(reader.push(bytes('HTTP/1.1 101 A\r\n\r\n'))!.response.status).toBe('A');
      expect(reader.push(bytes('HTTP/1.1 403 B\r'))).toBeNull();
      expect(reader.push(bytes('\n\r\n'))!.response.toString()).toBe("Response(403, 'B')");
    });
  });

  describe('RFC 9112 §4 status line', () => {
    const status = (line: string) => new HttpResponseReader().push(bytes(`${line}\r\n\r\n`))!.response;

    it('reads the status code and reason phrase', () => {
      expect(status('HTTP/1.1 403 Forbidden')).toMatchObject({ statusCode: 403, status: 'Forbidden' });
      expect(status('HTTP/1.1 503 Service  Unavailable ')).toMatchObject({ statusCode: 503, status: 'Service  Unavailable ' });
    });

    it('accepts an empty reason phrase, with or without its space', () => {
      expect(status('HTTP/1.1 101 ')).toMatchObject({ statusCode: 101, status: '' });
      expect(status('HTTP/1.1 101')).toMatchObject({ statusCode: 101, status: '' });
    });

    it('accepts HTTP/1.0', () => {
      expect(status('HTTP/1.0 400 Bad Request').statusCode).toBe(400);
    });

    it('reads obs-text bytes in the reason phrase as Latin-1', () => {
      expect(status('HTTP/1.1 200 caf\xe9\x80').status).toBe('caf\u00e9\u0080');
    });

    it.each(['HTTP/1.1 1011 X', 'HTTP/1.1 10 X', 'HTTP/2 101 X', 'HTTP/1.1  101 X', 'http/1.1 101 X', 'HTTP/1.1 601 X', 'ICY 200 OK', 'HTTP/1.1 101 a\0b', ''])(
      'fails on the malformed status line %j',
      (line) => {
        expect(() => status(line)).toThrow(new HandshakeError(`invalid status line ${JSON.stringify(line)}`));
      },
    );

    it('quotes at most 80 characters of a bad status line', () => {
      const line = 'X'.repeat(200);
      expect(() => status(line)).toThrow(new HandshakeError(`invalid status line "${'X'.repeat(80)}"`));
    });
  });

  describe('RFC 9112 §5 header lines', () => {
    const headers = (...lines: string[]) => new HttpResponseReader().push(bytes(`HTTP/1.1 101 OK\r\n${lines.join('\r\n')}\r\n\r\n`))!.response;

    it('trims values and keeps names as sent, in order, repeated ones included', () => {
      const response = headers('X-One:  a b \t', 'x-one:b', 'Empty:', 'Sec-WebSocket-Protocol:\tchat');
      expect(response.rawHeaders).toEqual([
        ['X-One', 'a b'],
        ['x-one', 'b'],
        ['Empty', ''],
        ['Sec-WebSocket-Protocol', 'chat'],
      ]);
      expect(response.get('x-one')).toBe('a b, b');
    });

    it('keeps colons inside values', () => {
      expect(headers('Location: http://x:1/').get('location')).toBe('http://x:1/');
    });

    it.each([' Folded: x', '\tfolded'])('fails on obsolete line folding %j', (line) => {
      expect(() => headers('X-A: a', line)).toThrow(new HandshakeError(`obsolete line folding ${JSON.stringify(line)}`));
    });

    it.each(['No colon', 'Space before : colon', ': no name', 'Bad[name]: x', 'X-A: a\rb', 'X-A: a\nb', 'X-A: a\0b', 'X-A: a\x7fb'])(
      'fails on the malformed header line %j',
      (line) => {
        expect(() => headers(line)).toThrow(new HandshakeError(`invalid header line ${JSON.stringify(line)}`));
      },
    );
  });

  describe('RFC 9110 §15.2 interim 1xx responses', () => {
    // RFC 9110 §15.2: "A client MUST be able to parse one or more 1xx responses received prior to a final response,
    // even if the client does not expect one."
    const INTERIM = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n';
    const WITH_INTERIM = Uint8Array.from([...bytes(INTERIM), ...WIRE]);

    it('skips 100, 102 and 103 before the 101 and returns the frames after it', () => {
      const result = new HttpResponseReader().push(WITH_INTERIM);
      expectSwitchingProtocols(result && { ...result, at: 0, after: [] });
      expect(result!.rest.byteOffset).toBe(INTERIM.length + HEAD.length);
    });

    it('skips them whatever the chunking', () => {
      for (let offset = 0; offset <= WITH_INTERIM.length; offset++) {
        expectSwitchingProtocols(feed(new HttpResponseReader(), split(WITH_INTERIM, [offset])));
      }
      expectSwitchingProtocols(feed(new HttpResponseReader(), split(WITH_INTERIM, [...Array(WITH_INTERIM.length).keys()].slice(1))));
    });

    it('waits for the final response after an interim one', () => {
      const reader = new HttpResponseReader();
      expect(reader.push(bytes('HTTP/1.1 100 Continue\r\n\r\n'))).toBeNull();
      expect(reader.push(bytes('HTTP/1.1 403 Forbidden\r\n\r\n'))!.response).toMatchObject({ statusCode: 403, status: 'Forbidden' });
    });

    it('treats 101 as final and a non-101 1xx on HTTP/1.0 as interim', () => {
      expect(new HttpResponseReader().push(bytes('HTTP/1.1 101 A\r\n\r\nHTTP/1.1 101 B\r\n\r\n'))!.response.status).toBe('A');
      expect(new HttpResponseReader().push(bytes('HTTP/1.0 199 X\r\n\r\nHTTP/1.1 200 OK\r\n\r\n'))!.response.statusCode).toBe(200);
    });

    it('fails on a malformed interim head', () => {
      expect(() => new HttpResponseReader().push(bytes('HTTP/1.1 100 Continue\r\nbad\r\n\r\nHTTP/1.1 101 OK\r\n\r\n'))).toThrow(
        new HandshakeError('invalid header line "bad"'),
      );
    });

    it('counts interim heads towards the cap, together with the final head', () => {
      const interim = bytes('HTTP/1.1 100 Continue\r\n\r\n');
      const final = bytes('HTTP/1.1 101 OK\r\n\r\n');
      const wire = Uint8Array.from([...interim, ...interim, ...final]);
      expect(new HttpResponseReader({ maxHeaderSize: wire.length }).push(wire)).not.toBeNull();
      expect(() => new HttpResponseReader({ maxHeaderSize: wire.length - 1 }).push(wire)).toThrow(new HandshakeError(`response head exceeds ${wire.length - 1} bytes`));
    });

    it('fails on an endless stream of interim responses at the cap', () => {
      const reader = new HttpResponseReader();
      const continues = bytes('HTTP/1.1 100 Continue\r\n\r\n'.repeat(100));
      expect(() => {
        for (let i = 0; i < 10; i++) reader.push(continues);
      }).toThrow(new HandshakeError('response head exceeds 16384 bytes'));
    });
  });

  describe('HTTP version', () => {
    it.each([
      ['HTTP/1.1', '1.1'],
      ['HTTP/1.0', '1.0'],
    ])('reports %s as httpVersion %p', (version, httpVersion) => {
      expect(new HttpResponseReader().push(bytes(`${version} 101 OK\r\n\r\n`))!.response.httpVersion).toBe(httpVersion);
    });
  });

  describe('size cap', () => {
    it('accepts a head of exactly maxHeaderSize bytes, terminator included', () => {
      const head = bytes('HTTP/1.1 101 OK\r\n\r\n');
      expect(new HttpResponseReader({ maxHeaderSize: head.length }).push(head)).not.toBeNull();
    });

    it('fails one byte over maxHeaderSize, whatever the chunking', () => {
      const head = bytes('HTTP/1.1 101 OK!\r\n\r\n');
      const max = head.length - 1;
      expect(() => new HttpResponseReader({ maxHeaderSize: max }).push(head)).toThrow(new HandshakeError(`response head exceeds ${max} bytes`));
      const reader = new HttpResponseReader({ maxHeaderSize: max });
      const chunks = split(head, [...Array(head.length).keys()].slice(1));
      expect(() => chunks.forEach((chunk) => reader.push(chunk))).toThrow(new HandshakeError(`response head exceeds ${max} bytes`));
    });

    it('defaults to 16 KiB and fails without waiting for the end of the head', () => {
      const reader = new HttpResponseReader();
      expect(reader.push(bytes(`HTTP/1.1 101 OK\r\nX: ${'a'.repeat(16000)}`))).toBeNull();
      expect(() => reader.push(new Uint8Array(1000).fill(0x61))).toThrow(new HandshakeError('response head exceeds 16384 bytes'));
    });

    it('does not count the frames after the head', () => {
      const head = bytes('HTTP/1.1 101 OK\r\n\r\n');
      const wire = Uint8Array.from([...head, ...new Uint8Array(100)]);
      expect(new HttpResponseReader({ maxHeaderSize: head.length }).push(wire)!.rest.length).toBe(100);
    });

    it.each([0, -1, 1.5, NaN])('throws RangeError for maxHeaderSize %p', (max) => {
      expect(() => new HttpResponseReader({ maxHeaderSize: max })).toThrow(new RangeError(`invalid maxHeaderSize ${max}`));
    });
  });
});
