/**
 * Arbitraries for the server's answer to the upgrade request: valid 101s
 * (with the accept computed from the request's key at connect time), 101s
 * with one field wrong, 1xx interim responses before the 101, refusals with
 * bodies and Retry-After, garbage, truncated heads, heads at and over the
 * 16 KiB cap, and very long header lines padded with spaces. handshake-verdict.ts
 * says what a correct client must conclude from each.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { concat, latin1 } from './bytes.js';
import { extensionsAnswer, invalidExtensionsAnswer, validExtensionsAnswer, type ExtensionsAnswer } from './extension-arbitraries.js';
import type { Offer } from './handshake-verdict.js';

/** One header line, rendered as `name:value` (the value carries its own optional whitespace). */
export interface Header {
  readonly name: string;
  readonly value: string;
}

/** How the Sec-WebSocket-Accept header is answered. */
export type AcceptVariant = 'right' | 'padded' | 'wrong' | 'missing' | 'lowercase' | 'empty' | 'truncated' | 'twice';

/** A 101 response head, field by field. */
export interface SwitchHead {
  /** The status line's HTTP-version. */
  readonly version: 'HTTP/1.1' | 'HTTP/1.0' | 'HTTP/1.2' | 'HTTP/2' | 'http/1.1';
  /** Reason phrase (null: no space after the code). */
  readonly reason: string | null;
  readonly upgrade: string | null;
  readonly connection: string | null;
  readonly accept: AcceptVariant;
  readonly extensions: ExtensionsAnswer | null;
  readonly protocol: string | null;
  readonly extra: readonly Header[];
  /** Spelling of the handshake header names. */
  readonly nameCase: 'canonical' | 'lower' | 'upper';
  /** Grow the head to this many bytes (final CRLF CRLF included) with padding headers, or null. */
  readonly padTo: { readonly size: number; readonly shape: 'many' | 'one' } | null;
  /** Bare LF line ends instead of CRLF. */
  readonly bareLf: boolean;
}

/** A 1xx interim response sent before the final one. */
export interface InterimHead {
  readonly status: 100 | 102 | 103;
  readonly headers: readonly Header[];
}

/** The whole answer to the upgrade request. */
export type ResponseSpec =
  | { readonly kind: 'switch'; readonly interim: readonly InterimHead[]; readonly head: SwitchHead }
  | {
      readonly kind: 'refuse';
      readonly version: 'HTTP/1.1' | 'HTTP/1.0';
      readonly status: number;
      readonly reason: string;
      readonly headers: readonly Header[];
      readonly body: Uint8Array;
      readonly contentLength: 'exact' | 'none' | 'wrong';
    }
  | { readonly kind: 'truncated'; readonly head: SwitchHead; readonly keep: number }
  | { readonly kind: 'garbage'; readonly bytes: Uint8Array }
  | { readonly kind: 'silent' };

/** RFC 6455 §1.3 GUID; the accept is computed here, apart from lib/, as an independent oracle. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** base64(SHA-1(key + GUID)). */
export const acceptOf = (key: string): string => createHash('sha1').update(key + GUID).digest('base64');

/** The protocols a fuzzed client may offer. */
export const PROTOCOLS = ['chat', 'superchat', 'v2.json'] as const;

/** RFC 9110 §5.1 token (a header name), §5.5 field value (visible bytes, spaces, tabs, obs-text). */
export const HEADER_OK = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
export const VALUE_OK = /^[\t\x20-\x7e\x80-\xff]*$/;

// --- arbitraries -----------------------------------------------------------

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}$/);
const fieldText = fc.stringMatching(/^[\x21-\x7e](?:[\x20-\x7e]{0,40}[\x21-\x7e])?$/);

/** A well-formed header with ordinary spacing. */
const plainHeader: fc.Arbitrary<Header> = fc
  .tuple(
    fc.oneof(fc.constantFrom('Server', 'Date', 'X-Fuzz', 'Set-Cookie', 'Cache-Control', 'Via', 'Link'), token),
    fc.oneof(fieldText, fc.constant('')),
    fc.constantFrom(' ', '', '\t', '  '),
    fc.constantFrom('', ' ', '\t'),
  )
  .map(([name, value, before, after]) => ({ name, value: `${before}${value}${after}` }));

/** Runs of whitespace: mostly short, up to half the head cap (two of them can fill a 16 KiB head). */
const spaceRun = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 100 }), weight: 4 }, { arbitrary: fc.integer({ min: 0, max: 3000 }), weight: 2 }, fc.integer({ min: 0, max: 8200 }));

/**
 * A very long header line: a value between long runs of spaces/tabs, optionally ended by a byte no field value may
 * hold (the case that makes backtracking header regexes blow up: lib/core/http-head.ts must stay linear).
 */
export const spacedHeader: fc.Arbitrary<Header> = fc
  .record({
    before: spaceRun,
    after: spaceRun,
    core: fc.oneof(fieldText, fc.constant('')),
    tab: fc.boolean(),
    bad: fc.constantFrom('', '', '\x01', '\x7f', 'x\x00'),
  })
  .map(({ before, after, core, tab, bad }) => {
    const pad = tab ? ' \t' : ' ';
    return { name: 'X-Spaces', value: pad.repeat(before).slice(0, before) + core + pad.repeat(after).slice(0, after) + bad };
  });

/** A header line that breaks RFC 9112 §5 (space before the colon, obs-fold, control bytes, no colon). */
const brokenHeader: fc.Arbitrary<Header> = fc.constantFrom(
  { name: 'X-Bad ', value: ' space before colon' },
  { name: 'X-Fold', value: ' folded\r\n continued' },
  { name: 'X-Ctl', value: ' a\x00b' },
  { name: 'No colon here', value: '' },
  { name: '', value: ' empty name' },
);

const headers = (extra: fc.Arbitrary<Header>): fc.Arbitrary<Header[]> =>
  fc.array(fc.oneof({ arbitrary: plainHeader, weight: 8 }, { arbitrary: extra, weight: 1 }), { maxLength: 4 });

/** Any 101 head: each field drawn from valid and invalid spellings. */
const anyHead = (offer: Offer): fc.Arbitrary<SwitchHead> =>
  fc.record({
    version: fc.oneof({ arbitrary: fc.constant('HTTP/1.1' as const), weight: 20 }, fc.constantFrom('HTTP/1.0' as const, 'HTTP/1.2' as const, 'HTTP/2' as const, 'http/1.1' as const)),
    reason: fc.oneof({ arbitrary: fc.constant('Switching Protocols'), weight: 8 }, fc.constant(''), fc.constant(null), fieldText),
    upgrade: fc.oneof({ arbitrary: fc.constant('websocket'), weight: 12 }, fc.constantFrom('WebSocket', 'WEBSOCKET', null, 'h2c', 'websocket, h2c', '')),
    connection: fc.oneof({ arbitrary: fc.constant('Upgrade'), weight: 12 }, fc.constantFrom('upgrade', 'keep-alive, Upgrade', 'Upgrade , close', null, 'close', 'Upgradex', '')),
    accept: fc.oneof(
      { arbitrary: fc.constant('right' as const), weight: 14 },
      fc.constantFrom('padded' as const, 'wrong' as const, 'missing' as const, 'lowercase' as const, 'empty' as const, 'truncated' as const, 'twice' as const),
    ),
    extensions: offer.compress
      ? fc.oneof({ arbitrary: extensionsAnswer, weight: 4 }, fc.constant(null))
      : fc.oneof({ arbitrary: fc.constant(null), weight: 12 }, extensionsAnswer),
    protocol: fc.oneof(
      { arbitrary: fc.constant(null), weight: 6 },
      { arbitrary: offer.protocols.length > 0 ? fc.constantFrom(...offer.protocols) : fc.constant(null), weight: 6 },
      fc.constantFrom('', 'not-offered', PROTOCOLS.join(', '), 'chat, chat'),
    ),
    extra: headers(fc.oneof(spacedHeader, brokenHeader)),
    nameCase: fc.constantFrom('canonical' as const, 'canonical' as const, 'lower' as const, 'upper' as const),
    padTo: fc.oneof(
      { arbitrary: fc.constant(null), weight: 12 },
      fc.record({ size: fc.oneof(fc.integer({ min: 16_300, max: 16_500 }), fc.integer({ min: 14_000, max: 70_000 })), shape: fc.constantFrom('many' as const, 'one' as const) }),
    ),
    bareLf: fc.oneof({ arbitrary: fc.constant(false), weight: 30 }, fc.constant(true)),
  });

/** A 101 head a correct client accepts: every field in one of its valid spellings (so that the frames get fuzzed). */
const goodHead = (offer: Offer): fc.Arbitrary<SwitchHead> =>
  fc.record({
    version: fc.constant('HTTP/1.1' as const),
    reason: fc.oneof({ arbitrary: fc.constant('Switching Protocols'), weight: 8 }, fc.constant(''), fc.constant(null), fieldText),
    upgrade: fc.oneof({ arbitrary: fc.constant('websocket'), weight: 8 }, fc.constantFrom('WebSocket', 'WEBSOCKET')),
    connection: fc.oneof({ arbitrary: fc.constant('Upgrade'), weight: 8 }, fc.constantFrom('upgrade', 'keep-alive, Upgrade', 'Upgrade , close')),
    accept: fc.oneof({ arbitrary: fc.constant('right' as const), weight: 8 }, fc.constant('padded' as const)),
    extensions: offer.compress ? fc.oneof({ arbitrary: validExtensionsAnswer, weight: 3 }, fc.constant(null)) : fc.constant(null),
    protocol: offer.protocols.length > 0 ? fc.option(fc.constantFrom(...offer.protocols)) : fc.constant(null),
    extra: headers(spacedHeader.filter((header) => VALUE_OK.test(header.value))),
    nameCase: fc.constantFrom('canonical' as const, 'canonical' as const, 'lower' as const, 'upper' as const),
    padTo: fc.oneof({ arbitrary: fc.constant(null), weight: 30 }, fc.record({ size: fc.integer({ min: 16_000, max: 16_384 }), shape: fc.constantFrom('many' as const, 'one' as const) })),
    bareLf: fc.constant(false),
  });

/** A valid head with exactly one field broken (RFC 6455 §4.1's checks, one at a time). */
const oneWrong = (offer: Offer): fc.Arbitrary<SwitchHead> =>
  fc.tuple(
    goodHead(offer),
    fc.oneof(
      fc.record({ upgrade: fc.constantFrom(null, 'h2c', '') }),
      fc.record({ connection: fc.constantFrom(null, 'close', 'Upgradex', '') }),
      fc.record({ accept: fc.constantFrom('wrong' as const, 'missing' as const, 'lowercase' as const, 'empty' as const, 'truncated' as const) }),
      fc.record({ protocol: fc.constantFrom('not-offered', PROTOCOLS.join(', ')) }),
      fc.record({ extensions: offer.compress ? invalidExtensionsAnswer : extensionsAnswer }),
      fc.record({ padTo: fc.record({ size: fc.integer({ min: 16_385, max: 40_000 }), shape: fc.constantFrom('many' as const, 'one' as const) }) }),
    ),
  ).map(([head, broken]) => ({ ...head, ...broken }));

const switchHead = (offer: Offer): fc.Arbitrary<SwitchHead> =>
  fc.oneof({ arbitrary: goodHead(offer), weight: 6 }, { arbitrary: oneWrong(offer), weight: 2 }, { arbitrary: anyHead(offer), weight: 2 });

const interimHead: fc.Arbitrary<InterimHead> = fc.record({
  status: fc.constantFrom(100 as const, 102 as const, 103 as const),
  headers: fc.array(fc.constantFrom({ name: 'Link', value: ' </style.css>; rel=preload' }, { name: 'X-Progress', value: ' 50%' }), { maxLength: 2 }),
});

const retryAfter: fc.Arbitrary<Header> = fc
  .oneof(
    fc.nat(100_000).map(String),
    fc.constantFrom('0', '-1', '1.5', 'Wed, 21 Oct 2015 07:28:00 GMT', 'Sun, 06 Nov 2094 08:49:37 GMT', 'soon', '9'.repeat(400), ''),
  )
  .map((value) => ({ name: 'Retry-After', value: ` ${value}` }));

const refusal = fc.record({
  kind: fc.constant('refuse' as const),
  version: fc.constantFrom('HTTP/1.1' as const, 'HTTP/1.1' as const, 'HTTP/1.0' as const),
  status: fc.constantFrom(200, 204, 301, 302, 400, 401, 403, 404, 426, 429, 500, 502, 503),
  reason: fc.oneof(fc.constantFrom('Forbidden', 'Too Many Requests', 'Service Unavailable', ''), fieldText),
  headers: fc.array(fc.oneof(plainHeader, retryAfter, fc.constant({ name: 'Location', value: ' ws://127.0.0.1:1/elsewhere' })), { maxLength: 4 }),
  body: fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 4000, max: 9000 }).map((n) => latin1('x'.repeat(n)))),
  contentLength: fc.constantFrom('exact' as const, 'none' as const, 'wrong' as const),
});

const garbage = fc
  .oneof(
    fc.uint8Array({ minLength: 1, maxLength: 200 }),
    fc.constantFrom('SSH-2.0-OpenSSH_9.6\r\n', 'HTTP/1.1\r\n\r\n', 'HTTP/1.1 1O1 Switching\r\n\r\n', 'HTTP/1.1 999 Nope\r\n\r\n', '\r\n\r\n', 'HTTP/1.1 101\r\nUpgrade websocket\r\n\r\n').map(latin1),
    fc.uint8Array({ minLength: 0, maxLength: 40 }).map((tail) => concat([new Uint8Array([0x16, 0x03, 0x01, 0x00, 0x2a, 0x02]), tail])),
  )
  .map((bytes) => ({ kind: 'garbage' as const, bytes }));

/**
 * Answers to an upgrade request from a client that made `offer`: mostly valid 101s (so that frames get fuzzed too),
 * then every kind of broken or hostile answer.
 */
export const responseSpec = (offer: Offer): fc.Arbitrary<ResponseSpec> =>
  fc.oneof(
    {
      arbitrary: fc.record({ kind: fc.constant('switch' as const), interim: fc.oneof({ arbitrary: fc.constant([]), weight: 12 }, fc.array(interimHead, { minLength: 1, maxLength: 2 })), head: switchHead(offer) }),
      weight: 20,
    },
    { arbitrary: refusal, weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('truncated' as const), head: switchHead(offer), keep: fc.nat() }), weight: 1 },
    { arbitrary: garbage, weight: 1 },
    { arbitrary: fc.constant({ kind: 'silent' as const }), weight: 1 },
  );

/** A valid 101 for `offer` (the common case, used by hand-written reproductions). */
export function validSwitch(overrides: Partial<SwitchHead> = {}): ResponseSpec {
  const head: SwitchHead = {
    version: 'HTTP/1.1',
    reason: 'Switching Protocols',
    upgrade: 'websocket',
    connection: 'Upgrade',
    accept: 'right',
    extensions: null,
    protocol: null,
    extra: [],
    nameCase: 'canonical',
    padTo: null,
    bareLf: false,
    ...overrides,
  };
  return { kind: 'switch', interim: [], head };
}

// --- rendering ----------------------------------------------------------------

function spell(name: string, nameCase: SwitchHead['nameCase']): string {
  return nameCase === 'lower' ? name.toLowerCase() : nameCase === 'upper' ? name.toUpperCase() : name;
}

function acceptHeaders(variant: AcceptVariant, key: string): string[] {
  const right = acceptOf(key);
  switch (variant) {
    case 'right':
      return [` ${right}`];
    case 'padded':
      return [` \t ${right}  `];
    case 'wrong':
      return [` ${acceptOf(`${key}x`)}`];
    case 'missing':
      return [];
    case 'lowercase':
      return [` ${right.toLowerCase() === right ? right.toUpperCase() : right.toLowerCase()}`];
    case 'empty':
      return [''];
    case 'truncated':
      return [` ${right.slice(0, -1)}`];
    case 'twice':
      return [` ${right}`, ` ${right}`];
  }
}

function headLines(head: SwitchHead, key: string): string[] {
  const lines = [`${head.version} 101${head.reason === null ? '' : ` ${head.reason}`}`];
  const add = (name: string, value: string): number => lines.push(`${spell(name, head.nameCase)}:${value}`);
  if (head.upgrade !== null) add('Upgrade', ` ${head.upgrade}`);
  if (head.connection !== null) add('Connection', ` ${head.connection}`);
  for (const value of acceptHeaders(head.accept, key)) add('Sec-WebSocket-Accept', value);
  if (head.extensions !== null) add('Sec-WebSocket-Extensions', ` ${head.extensions.value}`);
  if (head.protocol !== null) add('Sec-WebSocket-Protocol', ` ${head.protocol}`);
  for (const header of head.extra) lines.push(`${header.name}:${header.value}`);
  return lines;
}

function pad(lines: string[], padTo: NonNullable<SwitchHead['padTo']>, eol: string): void {
  const size = (): number => lines.reduce((sum, line) => sum + line.length + eol.length, 0) + eol.length;
  if (padTo.shape === 'one') {
    const missing = padTo.size - size() - 'X-Pad: '.length - eol.length;
    if (missing > 0) lines.push(`X-Pad: ${'p'.repeat(missing)}`);
  } else {
    for (let i = 0; size() < padTo.size; i++) {
      const room = padTo.size - size() - eol.length - `X-Pad-${i}: `.length;
      lines.push(`X-Pad-${i}: ${'p'.repeat(Math.max(1, Math.min(96, room)))}`);
    }
  }
}

/** The bytes of a 101 head answering `key`. */
export function renderSwitch(head: SwitchHead, key: string): Uint8Array {
  const eol = head.bareLf ? '\n' : '\r\n';
  const lines = headLines(head, key);
  if (head.padTo !== null) pad(lines, head.padTo, eol);
  return latin1(lines.join(eol) + eol + eol);
}

function renderInterim(interim: InterimHead): string {
  const reason = { 100: 'Continue', 102: 'Processing', 103: 'Early Hints' }[interim.status];
  return [`HTTP/1.1 ${interim.status} ${reason}`, ...interim.headers.map((h) => `${h.name}:${h.value}`)].join('\r\n') + '\r\n\r\n';
}

/** The bytes of the interim heads sent before the final one. */
export const renderInterims = (interim: readonly InterimHead[]): Uint8Array => latin1(interim.map(renderInterim).join(''));

/** The bytes the server answers the upgrade request carrying `key` with. */
export function renderResponse(response: ResponseSpec, key: string): Uint8Array {
  switch (response.kind) {
    case 'switch':
      return concat([renderInterims(response.interim), renderSwitch(response.head, key)]);
    case 'refuse': {
      const lines = [`${response.version} ${response.status} ${response.reason}`, ...response.headers.map((h) => `${h.name}:${h.value}`)];
      if (response.contentLength !== 'none') lines.push(`Content-Length: ${response.body.length + (response.contentLength === 'wrong' ? 1000 : 0)}`);
      return concat([latin1(lines.join('\r\n') + '\r\n\r\n'), response.body]);
    }
    case 'truncated': {
      const full = renderSwitch(response.head, key);
      return full.subarray(0, response.keep % full.length);
    }
    case 'garbage':
      return response.bytes;
    case 'silent':
      return new Uint8Array(0);
  }
}

/** RFC 9112 §6.3: "any response with a 1xx (Informational), 204 (No Content), or 304 (Not Modified) status code is always terminated by the first empty line". */
export const hasNoBody = (status: number): boolean => status === 204 || status === 304 || (status >= 100 && status < 200);

/**
 * True when the client may still be waiting after the server's last byte (connectTimeout decides): for the end of
 * the head, or for the end of a refusal's body that no Content-Length delimits (SPEC: `rejected` waits for the
 * body's first 4 KiB, the server's close, or connectTimeout).
 */
export function mayStall(response: ResponseSpec): boolean {
  if (response.kind === 'refuse') return response.contentLength !== 'exact' && !hasNoBody(response.status) && response.body.length < 4096;
  return response.kind === 'truncated' || response.kind === 'garbage' || response.kind === 'silent' || (response.kind === 'switch' && response.head.bareLf);
}
