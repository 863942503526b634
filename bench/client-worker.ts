/**
 * A client process: runs one contender's samples on request from the runner
 * (bench/run.ts, over the IPC channel of child_process.fork), so that every
 * contender's CPU time is its own process's (process.cpuUsage), its
 * environment sets it up (WS_NO_BUFFER_UTIL for plain ws), and its heap holds
 * nothing of the others.
 *
 *   node --import tsx bench/client-worker.ts <contender>     (started by bench/client-pool.ts)
 */
import { ECHO_MESSAGE } from './contenders/contender.js';
import { RAW, loadContender } from './contenders/index.js';
import { rawReceive, rawSend } from './contenders/raw.js';
import { fanInRow, idleRow } from './many-connections.js';
import { blastPayload, tickerAt, tickerBytes } from './payloads.js';
import { serverFrame } from './server-frames.js';
import { ByteSink, Sink, Window, type Expected, type Measured } from './sink.js';
import type { Request } from './protocol.js';

const name = process.argv[2]!;
const contender = loadContender(name);

/** What the sink of a receive sample expects. */
function expectedOf(request: Extract<Request, { op: 'receive' }>): Expected {
  const { kind, size, count } = request;
  if (kind === 'json') return { count, bytes: tickerBytes(size, count), first: tickerAt(size, 0), last: tickerAt(size, count - 1) };
  const text = kind === 'text';
  const as = (buffer: Buffer): string | Buffer => (text ? buffer.toString('latin1') : buffer);
  return { count, bytes: count * size, first: as(blastPayload(size, text, 'first')), last: as(blastPayload(size, text, count > 1 ? 'last' : 'first')) };
}

async function receive(request: Extract<Request, { op: 'receive' }>): Promise<Measured> {
  if (name === RAW) {
    const frame = serverFrame(request.kind === 'text' ? 1 : 2, blastPayload(request.size, request.kind === 'text', 'first'));
    const sink = new ByteSink(request.count, request.count * frame.length, frame);
    await rawReceive(request.url, sink);
    return sink.result();
  }
  const sink = new Sink(expectedOf(request));
  await contender!.receive(request.url, sink, request.kind === 'json');
  return sink.result();
}

async function send(request: Extract<Request, { op: 'send' }>): Promise<Measured> {
  const { size, count } = request;
  const plan = { count, first: blastPayload(size, false, 'first'), middle: blastPayload(size, false, 'middle'), last: blastPayload(size, false, 'last') };
  const window = new Window();
  const summary = JSON.parse(await (name === RAW ? rawSend(request.url, plan, window) : contender!.send(request.url, plan, window))) as { frames: number; bytes: number; first: boolean; last: boolean };
  const problems: string[] = [];
  if (summary.frames !== count) problems.push(`the server counted ${summary.frames} frames, ${count} sent`);
  if (summary.bytes !== count * size) problems.push(`the server counted ${summary.bytes} bytes, ${count * size} sent`);
  if (!summary.first) problems.push('the server got another first message');
  if (!summary.last) problems.push('the server got another last message');
  return window.measured(count, problems);
}

async function echo(request: Extract<Request, { op: 'echo' }>): Promise<Measured & { times: number[] }> {
  const window = new Window();
  const { times, wrong } = await contender!.echo(request.url, request.count, window);
  const problems = wrong > 0 ? [`${wrong} replies differed from ${JSON.stringify(ECHO_MESSAGE.slice(0, 8))}…`] : [];
  return { ...window.measured(times.length, problems), times };
}

async function handle(request: Request): Promise<unknown> {
  if (request.op !== 'hello' && request.op !== 'receive' && !(request.op === 'send' && name === RAW) && !contender) throw new Error(`${name} cannot run ${request.op}`);
  switch (request.op) {
    case 'hello': {
      const loaded = Object.keys(require.cache);
      return {
        pid: process.pid,
        /** The monotonic clock of --cpu-prof profiles, µs: bench:profile ignores the samples before it (start-up). */
        monotonicUs: Number(process.hrtime.bigint() / 1000n),
        bufferutil: loaded.some((path) => path.includes('/node_modules/bufferutil/')),
        nativeMask: typeof (require('node:http') as { websocketMask?: unknown }).websocketMask === 'function',
      };
    }
    case 'receive':
      return receive(request);
    case 'send':
      return send(request);
    case 'echo':
      return echo(request);
    case 'idle':
      return idleRow(contender!, request.url, request.connections, request.spreadMs, request.windowMs);
    case 'fanin':
      return fanInRow(contender!, request.url, request.connections, request.size, request.rate, request.windows, request.windowMs);
    case 'exit':
      // Exits after the reply is sent (a --cpu-prof profile is written at exit).
      setImmediate(() => process.exit(0));
      return null;
  }
}

process.on('message', (message: { id: number; request: Request }) => {
  handle(message.request).then(
    (result) => process.send!({ id: message.id, ok: true, result }),
    (error: unknown) => process.send!({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
// Loaded: the runner's first request may come.
process.send!({ id: 0, ok: true, result: 'ready' });
