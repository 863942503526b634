/**
 * Arbitraries for the Sec-WebSocket-Extensions answer to the client's offer
 * `permessage-deflate; client_max_window_bits` (RFC 7692 §7.1): valid
 * acceptances with any mix of parameters and spacing, and the answers §7
 * tells a client to fail on, each tagged with that verdict.
 */
import fc from 'fast-check';

/** An extensions header value and what a correct client makes of it. */
export interface ExtensionsAnswer {
  readonly value: string;
  /** `valid`: deflate is negotiated; `invalid`: the handshake must fail; `either`: the RFCs leave it open. */
  readonly verdict: 'valid' | 'invalid' | 'either';
  /** The server's LZ77 window bits when valid (15 unless server_max_window_bits says less). */
  readonly serverWindowBits: number;
}

const bits = fc.integer({ min: 8, max: 15 });
const separator = fc.constantFrom('; ', ';', ' ; ', ';\t');

/** A valid acceptance: the extension with a subset of the four parameters, in any order. */
export const validExtensionsAnswer: fc.Arbitrary<ExtensionsAnswer> = fc
  .record({
    serverNoContext: fc.boolean(),
    clientNoContext: fc.boolean(),
    serverBits: fc.option(bits),
    clientBits: fc.option(bits),
    separators: fc.array(separator, { minLength: 4, maxLength: 4 }),
    order: fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
  })
  .map(({ serverNoContext, clientNoContext, serverBits, clientBits, separators, order }) => {
    const params = [
      serverNoContext ? 'server_no_context_takeover' : null,
      clientNoContext ? 'client_no_context_takeover' : null,
      serverBits === null ? null : `server_max_window_bits=${serverBits}`,
      clientBits === null ? null : `client_max_window_bits=${clientBits}`,
    ];
    let value = 'permessage-deflate';
    order.forEach((index, i) => {
      const param = params[index];
      if (param !== null && param !== undefined) value += `${separators[i]}${param}`;
    });
    return { value, verdict: 'valid' as const, serverWindowBits: serverBits ?? 15 };
  });

/** Answers RFC 7692 §7 makes the client fail on (unknown, duplicate or out-of-range parameters, another extension). */
export const invalidExtensionsAnswer: fc.Arbitrary<ExtensionsAnswer> = fc
  .constantFrom(
    'permessage-deflate; foo',
    'permessage-deflate; foo=bar',
    'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
    'permessage-deflate; server_max_window_bits=7',
    'permessage-deflate; server_max_window_bits=16',
    'permessage-deflate; server_max_window_bits=010',
    'permessage-deflate; server_max_window_bits=abc',
    'permessage-deflate; server_max_window_bits',
    'permessage-deflate; client_max_window_bits=7',
    'permessage-deflate; client_max_window_bits=16',
    'permessage-deflate; client_max_window_bits',
    'permessage-deflate; server_no_context_takeover=1',
    'x-webkit-deflate-frame',
    'permessage-bzip2',
    'permessage-deflate; client_max_window_bits=10; client_max_window_bits=10',
    'permessage-deflate;;',
    '; permessage-deflate',
    'permessage-deflate; server_max_window_bits=1' + '0'.repeat(300),
  )
  .map((value) => ({ value, verdict: 'invalid' as const, serverWindowBits: 15 }));

/** Answers the RFCs leave to the client (quoted values, the extension twice, odd spacing). */
const either: fc.Arbitrary<ExtensionsAnswer> = fc
  .constantFrom(
    'permessage-deflate; server_max_window_bits="10"',
    'permessage-deflate, permessage-deflate',
    'Permessage-Deflate',
    'permessage-deflate ',
    'permessage-deflate; server_max_window_bits = 10',
  )
  .map((value) => ({ value, verdict: 'either' as const, serverWindowBits: 15 }));

/** Any extensions answer. */
export const extensionsAnswer: fc.Arbitrary<ExtensionsAnswer> = fc.oneof({ arbitrary: validExtensionsAnswer, weight: 6 }, { arbitrary: invalidExtensionsAnswer, weight: 3 }, { arbitrary: either, weight: 1 });
