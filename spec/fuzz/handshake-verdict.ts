/**
 * The verdict a correct client must reach on a generated answer to its
 * upgrade request: `ready` for a valid 101 (RFC 6455 §4.1, the client's
 * checks of the server's response), `rejected` for a refusal, never `ready`
 * for an invalid or incomplete answer, and no claim where the RFCs leave the
 * choice to the client.
 */
import { HEADER_OK, renderInterims, renderSwitch, VALUE_OK, type Header, type ResponseSpec, type SwitchHead } from './handshake-arbitraries.js';

/** What a correct client does with an answer. */
export type Verdict =
  /** `ready` (the handshake is valid). */
  | { readonly expect: 'ready'; readonly deflate: { readonly serverWindowBits: number } | null }
  /** `rejected` with this status code. */
  | { readonly expect: 'rejected'; readonly status: number }
  /** Never `ready` (the answer is invalid, incomplete or no HTTP at all). */
  | { readonly expect: 'not-ready' }
  /** The RFCs leave it open (e.g. HTTP/1.2, a quoted extension parameter): no claim. */
  | { readonly expect: 'either' };

/** What the client offered, as far as the verdict depends on it. */
export interface Offer {
  readonly compress: boolean;
  readonly protocols: readonly string[];
}

/** True for a header the client must accept as it is (a token name, a value of visible bytes and spaces). */
const wellFormed = (header: Header): boolean => HEADER_OK.test(header.name) && VALUE_OK.test(header.value);

/** The response head cap of lib/core/http-response-reader.ts (interim heads included), CRLF CRLF included. */
const MAX_HEAD = 16 * 1024;

function headVerdict(head: SwitchHead, offer: Offer, key: string, interimBytes: number): Verdict {
  let either = false;
  // RFC 6455 §4.1: "the HTTP version MUST be at least 1.1"; RFC 9110 §15.2: "a server MUST NOT send a 1xx response
  // to an HTTP/1.0 client": lib/core/handshake.ts fails a 101 on HTTP/1.0.
  if (head.version === 'HTTP/1.0') return { expect: 'not-ready' };
  if (head.version !== 'HTTP/1.1' || head.bareLf) either = true; // RFC 9112 §2.3/§2.2: other versions, bare LF: the recipient decides
  if (interimBytes + renderSwitch(head, key).length > MAX_HEAD) return { expect: 'not-ready' }; // the reader's documented cap
  if (!head.extra.every(wellFormed)) either = true; // RFC 9112 §5: obs-fold, space before the colon…: a client may reject or repair
  // RFC 6455 §4.1 (client validation of the response), items 2-6: each of these MUST fail the connection.
  if (head.upgrade === null || head.upgrade === '' || head.upgrade.toLowerCase() === 'h2c') return { expect: 'not-ready' };
  if (head.upgrade.toLowerCase() !== 'websocket') either = true;
  if (head.connection === null || !head.connection.split(',').some((t) => t.trim().toLowerCase() === 'upgrade')) return { expect: 'not-ready' };
  if (head.accept === 'twice') either = true;
  else if (head.accept !== 'right' && head.accept !== 'padded') return { expect: 'not-ready' };
  let deflate: { serverWindowBits: number } | null = null;
  // RFC 6455 §9.1 `extension-list = 1#extension`, §4.2.2 "a single value representing the subprotocol": an empty
  // Sec-WebSocket-Extensions or -Protocol is malformed, not absent (lib/core/handshake.ts fails it).
  if (head.extensions?.value === '' || head.protocol === '') return { expect: 'not-ready' };
  if (head.extensions !== null && head.extensions.value !== '') {
    if (!offer.compress) return { expect: 'not-ready' };
    if (head.extensions.verdict === 'invalid') return { expect: 'not-ready' };
    if (head.extensions.verdict === 'either') either = true;
    else deflate = { serverWindowBits: head.extensions.serverWindowBits };
  }
  if (head.protocol !== null && head.protocol !== '' && !(offer.protocols as readonly string[]).includes(head.protocol)) return { expect: 'not-ready' };
  return either ? { expect: 'either' } : { expect: 'ready', deflate };
}

/** What a correct client must conclude from `response` (given the key it sent, which fixes the head's size). */
export function verdictOf(response: ResponseSpec, offer: Offer, key: string): Verdict {
  switch (response.kind) {
    case 'switch': {
      // RFC 9110 §15.2: "A client MUST be able to parse one or more 1xx responses received prior to a final response".
      return headVerdict(response.head, offer, key, renderInterims(response.interim).length);
    }
    case 'refuse':
      if (!response.headers.every(wellFormed)) return { expect: 'either' };
      return { expect: 'rejected', status: response.status };
    case 'truncated':
    case 'garbage':
    case 'silent':
      return { expect: 'not-ready' };
  }
}
