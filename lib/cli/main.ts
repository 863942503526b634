/**
 * `lomond`: a command-line WebSocket client. Prints each event on one line,
 * sends each stdin line as a text message, exits 0 after a graceful close.
 * `lomond --demo` starts an embedded echo server on 127.0.0.1 and talks to it.
 * The executable entry is ./bin.ts; this module only exports `main`.
 */
import { createInterface } from 'node:readline';
import { tap } from 'rxjs';
import { formatEvent } from '../events/format.js';
import { persist } from '../operators/persist.js';
import { WebSocket } from '../websocket.js';
import { parseArgs, USAGE } from './args.js';
import { startDemoServer, type DemoServer } from './demo-server.js';

const DEMO_LINES = ['Hello from lomond!', 'Each line you type is sent as a text message.'];

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: readonly string[], input: NodeJS.ReadableStream = process.stdin, print: (line: string) => void = console.log): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    console.error(`lomond: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    print(USAGE);
    return 0;
  }
  let demo: DemoServer | null = null;
  if (args.demo) demo = await startDemoServer({ greeting: 'Welcome to the lomond demo echo server' });
  const url = demo?.url ?? args.url!;
  const ws = new WebSocket(url, { compress: args.compress, protocols: args.protocols, headers: args.headers });

  let pending = 0;
  let inputEnded = false;
  const closeWhenDone = (): void => {
    if (inputEnded && (pending === 0 || !demo) && ws.isActive) ws.close(1000, 'goodbye');
  };
  const send = (line: string): void => {
    if (!ws.isActive) return;
    ws.sendText(line);
    pending++;
  };

  const lines = createInterface({ input, terminal: false });
  const queued: string[] = demo ? [...DEMO_LINES] : [];
  lines.on('line', (line) => (ws.isActive ? send(line) : queued.push(line)));
  lines.on('close', () => {
    inputEnded = true;
    closeWhenDone();
  });

  let events$ = ws.connect$({ pingRate: args.pingRate, pingTimeout: args.pingTimeout });
  if (args.persist) events$ = events$.pipe(persist());
  const code = await new Promise<number>((resolve) => {
    let graceful = false;
    events$
      .pipe(
        tap((event) => {
          print(formatEvent(event));
          if (event.name === 'ready') {
            queued.splice(0).forEach(send);
            closeWhenDone();
          } else if (event.name === 'text' && pending > 0) {
            pending--;
            closeWhenDone();
          } else if (event.name === 'disconnected') {
            graceful = event.graceful;
          }
        }),
      )
      .subscribe({ complete: () => resolve(graceful ? 0 : 1), error: (error) => (console.error(`lomond: ${error.message}`), resolve(2)) });
  });
  lines.close();
  await demo?.close();
  return code;
}
