/**
 * `lomond`: a command-line WebSocket client (SPEC "Package"). `main` reads
 * the arguments, turns every mistake into a one-line usage error (exit 2),
 * builds the WebSocket and hands the run to {@link CliRun}. `lomond --demo`
 * starts an embedded echo server on 127.0.0.1 and talks to it. The
 * executable entry is ./bin.ts; tests call `main` in-process with their own
 * {@link CliIo}, or spawn the bin.
 *
 * The CLI is an application on the façade: it imports lib/websocket.ts,
 * lib/operators/, lib/events/, lib/testing/ (through the demo server) and core/.
 */
import { readFileSync } from 'node:fs';
import { VERSION } from '../core/version.js';
import { persist } from '../operators/persist.js';
import { WebSocket } from '../websocket.js';
import { parseArgs, UsageError, USAGE, type CliArgs } from './args.js';
import { startDemoServer } from './demo-server.js';
import { resolveIo, type CliIo, type CliIoInput } from './io.js';
import { Exit } from './outcome.js';
import { CliRun } from './run.js';
import { styleFor } from './style.js';

export type { CliIo, CliIoInput, SignalSource } from './io.js';

/** What the demo sends once connected. */
export const DEMO_LINES: readonly string[] = ['Hello from lomond!', 'Talk to your own server with: lomond ws://host:port/path'];

/** What the demo server says first. */
export const DEMO_GREETING = 'Welcome to the lomond demo echo server';

/**
 * How long the close handshake may take (ms) before the CLI drops the socket: Ctrl-C at a terminal should
 * not hang for the library's 30 s; a second Ctrl-C exits at once anyway.
 */
export const CLI_CLOSE_TIMEOUT = 5000;

/** The library's option names in an error message, as the command line spells them. */
const FLAGS: ReadonlyArray<readonly [string, string]> = [
  ['pingTimeout', '--ping-timeout'],
  ['pingRate', '--ping-rate'],
  ['connectTimeout', '--connect-timeout'],
];

function asUsage(message: string): string {
  return FLAGS.reduce((text, [name, flag]) => text.split(name).join(flag), message);
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new UsageError(`cannot read --ca file '${path}': ${code ?? message}`);
  }
}

/** The WebSocket and its event stream as the arguments ask; TypeError/RangeError for what the library refuses. */
function connection(args: CliArgs, url: string, io: CliIo): { ws: WebSocket; events$: ReturnType<WebSocket['connect$']> } {
  const ca = args.ca === null ? undefined : readCa(args.ca);
  const tls = ca !== undefined || args.insecure ? { ...(ca !== undefined && { ca }), ...(args.insecure && { rejectUnauthorized: false }) } : undefined;
  const ws = new WebSocket(url, {
    compress: args.compress,
    protocols: args.protocols,
    headers: args.headers,
    ...(tls !== undefined && { tls }),
    ...(args.proxy !== null && { proxies: { http: args.proxy, https: args.proxy } }),
  });
  let events$ = ws.connect$({
    pingRate: args.pingRate,
    pingTimeout: args.pingTimeout,
    connectTimeout: args.connectTimeout,
    closeTimeout: CLI_CLOSE_TIMEOUT,
    scheduler: io.scheduler,
  });
  if (args.persist) events$ = events$.pipe(persist({ scheduler: io.scheduler }));
  return { ws, events$ };
}

/**
 * Runs the CLI; resolves with the exit status (0 clean close, 1 failed/rejected/other close code, 2 usage
 * error, 130 SIGINT). Never rejects for anything a user or a server does.
 *
 * @param argv - the arguments, without node and the script
 * @param ioInput - streams, terminals, environment, SIGINT source, scheduler (default: the process's)
 */
export async function main(argv: readonly string[], ioInput?: CliIoInput): Promise<number> {
  const io = resolveIo(ioInput);
  const usageError = (message: string): number => {
    io.stderr.write(`lomond: ${message}\n`);
    return Exit.USAGE;
  };
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message);
    throw error;
  }
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return Exit.OK;
  }
  if (args.version) {
    io.stdout.write(`lomond ${VERSION}\n`);
    return Exit.OK;
  }
  const demo = args.demo ? await startDemoServer({ greeting: DEMO_GREETING }) : null;
  try {
    let built;
    try {
      built = connection(args, demo?.url ?? args.url!, io);
    } catch (error) {
      if (error instanceof UsageError || error instanceof TypeError || error instanceof RangeError) return usageError(asUsage(error.message));
      throw error;
    }
    if (args.insecure && built.ws.isSecure) {
      const style = styleFor(io.isTTY.stderr, io.env);
      io.stderr.write(`${style.warn("lomond: WARNING: --insecure: the server's certificate is not verified; anyone on the way can read and change this connection")}\n`);
    }
    const messages = args.execute.length > 0 ? args.execute : demo !== null ? DEMO_LINES : [];
    return await new CliRun(args, { io, ...built, messages, untilEchoed: demo !== null }).done;
  } finally {
    await demo?.close();
  }
}
