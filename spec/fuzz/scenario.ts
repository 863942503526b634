/**
 * A fuzz case: the client's options, the server's answer to the upgrade,
 * its frame script, the mutations and chunking of the bytes, and how the
 * server behaves around the close. `renderScript` turns a case into the
 * chunks to send once the request (and so its key) is known; both drivers
 * play the same chunks.
 */
import { constants } from 'node:buffer';
import fc from 'fast-check';
import { concat, hex } from './bytes.js';
import { frameScript, renderFrames, type FrameSpec } from './frame-arbitraries.js';
import { PROTOCOLS, mayStall, renderResponse, responseSpec, validSwitch, type ResponseSpec, type SwitchHead } from './handshake-arbitraries.js';
import { verdictOf, type Verdict } from './handshake-verdict.js';
import { chunking, mutate, mutationPlan, split, type Chunking, type MutationPlan } from './mutations.js';

/** The client side of a case (the timeouts come from the driver, see {@link DriverProfile}). */
export interface ClientConfig {
  readonly compress: boolean;
  readonly protocols: readonly string[];
  readonly maxPayload: number | undefined;
  readonly maxMessageSize: number | undefined;
  /** 0 (no keepalive pings) or a few ms. */
  readonly pingRate: number;
  readonly pingTimeout: number | undefined;
  /** The application sends every text/binary message back from its handler. */
  readonly echo: boolean;
  /**
   * The application sends the text "bye" from its `closing` handler (SPEC "Lifecycles": "the app may still send
   * inside the handler"): it must go out before the echo of the server's close.
   */
  readonly byeOnClosing?: boolean;
  /**
   * What the application does by itself, after `after` events past `ready` (0: at `ready`): close (1000),
   * unsubscribe (SPEC: a close 1001 in the background, torn down within closeTimeout), or forceDisconnect().
   */
  readonly act: { readonly after: number; readonly kind: 'close' | 'unsubscribe' | 'force' } | null;
  /**
   * A scheduler whose clock advances 1 ms at every `now()` (its timers are real), so that events stamped at different
   * moments of one chunk get different `receivedTime`s: ordering bugs then show every time, not when a millisecond
   * happens to tick.
   */
  readonly tickingClock?: boolean;
}

/** How the server behaves besides its script. */
export interface ServerBehaviour {
  /**
   * On the client's close frame: `echo` a close frame and end TCP (well-behaved), `ignore` it, `end` TCP at once,
   * `reset` it, or echo then reset. All but `ignore` stop the script.
   */
  readonly onClientClose: 'echo' | 'ignore' | 'end' | 'reset' | 'echo-reset';
  /** After the last chunk: end TCP (FIN), reset it (RST), or stay connected and wait. */
  readonly after: 'end' | 'reset' | 'stay';
  /** The FIN or RST follows the last chunk in the same turn, not a turn later (nothing the client queued can leave in between). */
  readonly closeAtOnce?: boolean;
  /** Answer the client's pings with pongs, after the script (never in the middle of a frame). */
  readonly autoPong: boolean;
  /**
   * The client's writes wait a turn, as behind a full socket buffer (`needsDrain` until `drain`): its pongs
   * coalesce (RFC 6455 §5.5.3). Virtual driver only: on loopback the kernel decides.
   */
  readonly backpressure?: boolean;
}

/** One fuzz case. */
export interface Scenario {
  readonly client: ClientConfig;
  readonly response: ResponseSpec;
  readonly frames: readonly FrameSpec[];
  readonly mutations: MutationPlan;
  readonly chunking: Chunking;
  readonly server: ServerBehaviour;
}

/** Timing and size knobs of a driver. */
export interface DriverProfile {
  readonly name: 'virtual' | 'socket';
  /** closeTimeout given to the client. */
  readonly closeTimeout: number;
  /** connectTimeout when the head should complete (long: reaching it is a finding). */
  readonly connectTimeout: number;
  /** connectTimeout when the head may never complete (truncated, garbage, silent…). */
  readonly stallConnectTimeout: number;
  /** Most chunks a script is cut into (one byte at a time stops there). */
  readonly maxChunks: number;
}

/** The largest limit a client accepts: what a Buffer can hold (2^32 on Node 20, 2^53 - 1 on Node 22+). */
export const HUGE_LIMIT = constants.MAX_LENGTH;

/** maxPayload and maxMessageSize: mostly 64 KiB, sometimes tiny, the defaults (100 MiB) or huge, together or apart. */
const anyLimit = fc.constantFrom(1, 125, 1024, 64 * 1024, undefined, HUGE_LIMIT);
const limits: fc.Arbitrary<{ maxPayload: number | undefined; maxMessageSize: number | undefined }> = fc.oneof(
  { arbitrary: fc.constant({ maxPayload: 64 * 1024, maxMessageSize: 64 * 1024 }), weight: 12 },
  // maxPayload stays ≥ 125: below it the server's own close echo would break the limit.
  { arbitrary: fc.record({ maxPayload: anyLimit.filter((n) => n !== 1), maxMessageSize: anyLimit }), weight: 3 },
  fc.constant({ maxPayload: undefined, maxMessageSize: undefined }),
  { arbitrary: fc.constant({ maxPayload: HUGE_LIMIT, maxMessageSize: HUGE_LIMIT }), weight: 2 },
);

const clientConfig: fc.Arbitrary<ClientConfig> = fc
  .record({
    compress: fc.boolean(),
    protocols: fc.subarray([...PROTOCOLS]),
    limits,
    pingRate: fc.oneof({ arbitrary: fc.constant(0), weight: 8 }, fc.integer({ min: 5, max: 40 })),
    pingTimeoutExtra: fc.option(fc.integer({ min: 1, max: 100 }), { freq: 3 }),
    echo: fc.boolean(),
    byeOnClosing: fc.boolean(),
    tickingClock: fc.oneof({ arbitrary: fc.constant(false), weight: 7 }, fc.constant(true)),
    act: fc.oneof(
      { arbitrary: fc.constant(null), weight: 12 },
      fc.record({ after: fc.oneof(fc.constant(0), fc.nat(6)), kind: fc.constantFrom('close' as const, 'close' as const, 'unsubscribe' as const, 'force' as const) }),
    ),
  })
  .map(({ pingTimeoutExtra, limits: { maxPayload, maxMessageSize }, ...rest }) => ({
    ...rest,
    maxPayload,
    maxMessageSize,
    pingTimeout: rest.pingRate > 0 && pingTimeoutExtra !== null ? rest.pingRate + pingTimeoutExtra : undefined,
  }));

const serverBehaviour: fc.Arbitrary<ServerBehaviour> = fc.record({
  onClientClose: fc.oneof(
    { arbitrary: fc.constant('echo' as const), weight: 6 },
    fc.constantFrom('ignore' as const, 'end' as const, 'reset' as const, 'echo-reset' as const),
  ),
  after: fc.oneof({ arbitrary: fc.constant('end' as const), weight: 3 }, { arbitrary: fc.constant('stay' as const), weight: 3 }, fc.constant('reset' as const)),
  autoPong: fc.boolean(),
  backpressure: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, fc.constant(true)),
  closeAtOnce: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, fc.constant(true)),
});

/** Prints a case compactly (fast-check calls it for counterexamples). */
export function describeScenario(s: Scenario): string {
  return JSON.stringify(s, (_key, value: unknown) => {
    if (value instanceof Uint8Array) return `<${value.length} bytes: ${hex(value, 32)}>`;
    if (typeof value === 'bigint') return `${value}n`;
    return value;
  });
}

const printable = (scenario: Scenario): Scenario => Object.assign(scenario, { [fc.toStringMethod]: () => describeScenario(scenario) });

/** Any case. */
export const scenario: fc.Arbitrary<Scenario> = clientConfig
  .chain((client) =>
    fc.record({
      client: fc.constant(client),
      response: responseSpec({ compress: client.compress, protocols: client.protocols }),
      frames: frameScript,
      mutations: mutationPlan,
      chunking,
      server: serverBehaviour,
    }),
  )
  .map(printable);

/** What the server sends for a case, once the request's key is known. */
export interface Script {
  readonly verdict: Verdict;
  /** The response head (and interim heads) as rendered, before mutations. */
  readonly head: Uint8Array;
  /** The frames as rendered, before mutations. */
  readonly frames: Uint8Array;
  /** Everything, mutated. */
  readonly stream: Uint8Array;
  readonly chunks: Uint8Array[];
}

/** Renders the chunks the server sends for `s` to a client whose request carried `key`. */
export function renderScript(s: Scenario, key: string, profile: DriverProfile): Script {
  const verdict = verdictOf(s.response, { compress: s.client.compress, protocols: s.client.protocols }, key);
  const head = renderResponse(s.response, key);
  // Frames only make sense after a 101; after anything else they are just more garbage.
  const deflate = verdict.expect === 'ready' ? verdict.deflate : null;
  const frames = s.response.kind === 'switch' ? renderFrames(s.frames, deflate) : new Uint8Array(0);
  const stream = s.mutations.target === 'all' ? mutate(concat([head, frames]), s.mutations.edits) : concat([head, mutate(frames, s.mutations.edits)]);
  return { verdict, head, frames, stream, chunks: split(stream, s.chunking, profile.maxChunks) };
}

/** True when the edits may have touched the head. */
export const headMutated = (s: Scenario): boolean => s.mutations.target === 'all' && s.mutations.edits.length > 0;

/** The connectTimeout a case gets: short when its head may never complete. */
export const connectTimeoutOf = (s: Scenario, profile: DriverProfile): number =>
  mayStall(s.response) || headMutated(s) ? profile.stallConnectTimeout : profile.connectTimeout;

const validHead: SwitchHead = (validSwitch() as Extract<ResponseSpec, { kind: 'switch' }>).head;

/** The client options of a hand-written case, unless overridden. */
export const BASE_CLIENT: ClientConfig = {
  compress: false,
  protocols: [],
  maxPayload: 64 * 1024,
  maxMessageSize: 64 * 1024,
  pingRate: 0,
  pingTimeout: undefined,
  echo: false,
  act: null,
};

/** A hand-written case (for reproductions): a valid 101, a well-behaved server, one chunk, unless overridden. */
export function makeScenario(parts: Partial<Omit<Scenario, 'client' | 'server'>> & { client?: Partial<ClientConfig>; server?: Partial<ServerBehaviour> }): Scenario {
  return printable({
    response: parts.response ?? { kind: 'switch', interim: [], head: validHead },
    frames: parts.frames ?? [],
    mutations: parts.mutations ?? { target: 'frames', edits: [] },
    chunking: parts.chunking ?? { kind: 'whole' },
    client: { ...BASE_CLIENT, ...parts.client },
    server: { onClientClose: 'echo', after: 'stay', autoPong: true, ...parts.server },
  });
}
