/**
 * One run of the CLI against a server: subscribes to the connection's
 * events, prints them, feeds it what there is to send (-x messages, the demo
 * lines, stdin), and decides when to close and with which exit status.
 *
 * When it closes: after -x and `--wait` (2 s by default); after `--wait`
 * with -n, if given; when stdin ends (after `--wait`, if given); with
 * --demo once every line came back. SIGINT (or Ctrl-C at the prompt)
 * closes with 1000 and ends the run when the close handshake is done or
 * `closeTimeout` has passed (130); a second one ends it at once. With
 * --persist a drop reconnects, and any of these ends the loop.
 */
import { createInterface, type Interface } from 'node:readline';
import { timer, type Observable, type Subscription } from 'rxjs';
import type { WebSocketEvent } from '../events/events.js';
import type { WebSocket } from '../websocket.js';
import type { CliArgs } from './args.js';
import type { CliIo } from './io.js';
import { Exit, Outcome } from './outcome.js';
import { eventJson, eventLine, isChatter, messageLine, sentLine } from './render.js';
import { LineSender } from './sender.js';
import { Terminal } from './terminal.js';

/** What {@link CliRun} is given besides the arguments. */
export interface RunContext {
  readonly io: CliIo;
  readonly ws: WebSocket;
  readonly events$: Observable<WebSocketEvent>;
  /** Messages to send at each `ready` (the -x messages, or the demo's lines). */
  readonly messages: readonly string[];
  /** The demo: close once every message sent came back (the demo server echoes). */
  readonly untilEchoed: boolean;
}

/** See the file's comment; {@link CliRun.done} resolves with the exit status. */
export class CliRun {
  /** Resolves with the exit status when the run is over. */
  readonly done: Promise<number>;
  private resolve!: (code: number) => void;
  private readonly terminal: Terminal;
  private readonly outcome = new Outcome();
  private readonly lines: Interface | null = null;
  private readonly sender: LineSender | null = null;
  private subscription: Subscription | null = null;
  private waiting: Subscription | null = null;
  /** Sent messages the demo server has not echoed yet (with `untilEchoed`), else null. */
  private readonly unechoed: string[] | null;
  /** `>` echoes of sent messages: on a terminal, unless the terminal already shows what was typed. */
  private readonly echoSent: boolean;
  private readonly echoTyped: boolean;
  /** Between `connecting` and that attempt's final event. */
  private live = false;
  /** Between `ready` and that connection's final event. */
  private open = false;
  private stdinEnded: boolean;
  private endRequested = false;
  private interrupts = 0;
  private readPaused = false;
  private finished = false;
  private forcedCode: number | null = null;

  constructor(
    private readonly args: CliArgs,
    private readonly context: RunContext,
  ) {
    const { io } = context;
    this.done = new Promise((resolve) => (this.resolve = resolve));
    this.terminal = new Terminal(io);
    this.terminal.whenBroken(() => {
      // Nobody reads our output any more: read the socket again (the close answer must get through), and go.
      this.resumeReading();
      this.requestEnd(1001);
    });
    this.unechoed = context.untilEchoed ? [] : null;
    const readStdin = !args.noStdin && args.execute.length === 0 && !(context.untilEchoed && io.isTTY.stdin);
    const interactive = readStdin && io.isTTY.stdin && io.isTTY.stdout && !args.json;
    this.echoSent = io.isTTY.stdout && !args.json;
    this.echoTyped = this.echoSent && !interactive;
    this.stdinEnded = !readStdin;
    io.signals.on('SIGINT', this.onInterrupt);
    io.signals.on('SIGTERM', this.onTerminate);
    if (readStdin) {
      const lines = createInterface({
        input: io.stdin,
        output: interactive ? io.stdout : undefined,
        terminal: interactive,
        prompt: `${this.terminal.outStyle.sent('>')} `,
        crlfDelay: Infinity,
      });
      this.lines = lines;
      // A closed readline refuses pause()/resume() (ERR_USE_AFTER_CLOSE since Node 24): stdin has ended, nothing to do.
      const flow = { pause: () => this.stdinEnded || lines.pause(), resume: () => this.stdinEnded || lines.resume() };
      this.sender = new LineSender(context.ws, flow, this.onSent, this.onSendFailed);
      lines.on('line', (line) => {
        this.sender!.push(line);
        if (interactive) this.terminal.reprompt();
      });
      lines.on('close', () => this.onStdinEnd());
      if (interactive) {
        lines.on('SIGINT', this.onInterrupt);
        this.terminal.setPrompt(lines);
      }
    }
    const subscription = context.events$.subscribe({
      next: (event) => {
        try {
          this.onEvent(event);
        } catch (error) {
          // A bug of ours must end the run with a message, not escape as an uncaught exception.
          this.onError(new Error(`internal error: ${error instanceof Error ? error.message : String(error)}`));
        }
      },
      error: (error: unknown) => this.onError(error),
      complete: () => this.finish(),
    });
    if (this.finished) subscription.unsubscribe();
    else this.subscription = subscription;
  }

  private onEvent(event: WebSocketEvent): void {
    this.outcome.observe(event);
    this.print(event);
    switch (event.name) {
      case 'connecting':
        this.live = true;
        break;
      case 'ready':
        this.open = true;
        this.onReady();
        break;
      case 'text':
        if (this.unechoed !== null && this.unechoed[0] === event.text) {
          this.unechoed.shift();
          this.afterDemoLine();
        }
        break;
      case 'connect_fail':
      case 'disconnected':
        this.live = this.open = this.readPaused = false;
        this.waiting?.unsubscribe();
        break;
      case 'back_off':
        // --persist would try again: not when the user asked to stop.
        if (this.endRequested) this.finish();
        break;
    }
  }

  private print(event: WebSocketEvent): void {
    if (isChatter(event) && !this.args.verbose) return;
    const { outStyle, errStyle } = this.terminal;
    if (this.args.json) this.out(eventJson(event, this.args.binaryFormat));
    else if (event.name === 'text' || event.name === 'binary') this.out(messageLine(event, this.args.binaryFormat, outStyle, this.context.io.isTTY.stdout));
    else this.terminal.err(eventLine(event, errStyle));
  }

  /** Writes to stdout; when it pushes back, stops reading the socket until it has drained. */
  private out(line: string): void {
    if (this.terminal.out(line) || this.readPaused || !this.open || this.terminal.isBroken) return;
    try {
      this.context.ws.pause();
    } catch {
      return;
    }
    this.readPaused = true;
    this.terminal.whenDrained(() => this.resumeReading());
  }

  private resumeReading(): void {
    if (!this.readPaused) return;
    this.readPaused = false;
    try {
      this.context.ws.resume();
    } catch {
      // The connection ended meanwhile.
    }
  }

  private onReady(): void {
    for (const message of this.context.messages) this.send(message);
    this.sender?.ready();
    if (this.endRequested) return this.sender === null ? this.requestEnd() : this.sender.whenFlushed(() => this.requestEnd());
    if (this.unechoed !== null) return this.afterDemoLine();
    if (this.args.execute.length > 0) return this.closeAfter(this.args.wait ?? 2);
    if (this.args.noStdin) return this.args.wait === null ? undefined : this.closeAfter(this.args.wait);
    if (this.stdinEnded) this.afterInput();
  }

  private send(message: string): void {
    try {
      this.context.ws.sendText(message);
    } catch (error) {
      return this.onSendFailed((error as Error).message);
    }
    this.unechoed?.push(message);
    if (this.echoSent) this.terminal.out(sentLine(message, this.terminal.outStyle));
  }

  private readonly onSent = (line: string): void => {
    this.unechoed?.push(line);
    if (this.echoTyped) this.terminal.out(sentLine(line, this.terminal.outStyle));
  };

  private readonly onSendFailed = (message: string): void => {
    this.terminal.err(this.terminal.errStyle.error(`lomond: not sent: ${message}`));
  };

  private onStdinEnd(): void {
    if (this.finished || this.stdinEnded) return;
    this.stdinEnded = true;
    // A closed readline must not draw its prompt again (that would resume reading the terminal).
    this.terminal.setPrompt(null);
    if (this.unechoed !== null) return this.afterDemoLine();
    if (this.open) this.afterInput();
    else if (this.args.wait === null) this.requestEnd();
  }

  /** stdin ended on an open connection: close once every line is out (after --wait, if given). */
  private afterInput(): void {
    const wait = this.args.wait;
    this.sender?.whenFlushed(() => (wait === null ? this.requestEnd() : this.closeAfter(wait)));
  }

  /** The demo closes when its lines and stdin's are all sent and echoed. */
  private afterDemoLine(): void {
    if (this.open && this.stdinEnded && this.unechoed!.length === 0 && (this.sender?.isFlushed ?? true)) this.requestEnd();
  }

  private closeAfter(seconds: number): void {
    this.waiting?.unsubscribe();
    this.waiting = timer(seconds * 1000, this.context.io.scheduler).subscribe(() => this.requestEnd());
  }

  /**
   * The run should end: closes an open connection (its end, or --persist's stop after our own close, ends
   * the run); between --persist's attempts it ends at once; while connecting, `ready` closes.
   */
  private requestEnd(code = 1000): void {
    this.endRequested = true;
    const { ws } = this.context;
    if (this.open && ws.isActive) {
      this.outcome.closing();
      try {
        ws.close(code, code === 1001 ? 'going away' : 'goodbye');
      } catch {
        // Not open after all: its final event is on its way.
      }
    } else if (!this.live) {
      this.finish();
    }
  }

  private readonly onInterrupt = (): void => {
    this.interrupts++;
    this.forcedCode = Exit.INTERRUPTED;
    // Twice, or with no connection to close: at once.
    if (this.interrupts > 1 || !this.open) return this.finish();
    this.requestEnd();
  };

  /** SIGTERM (a service manager stopping us): close with 1001 "going away", then exit 143; a second one at once. */
  private readonly onTerminate = (): void => {
    this.interrupts++;
    this.forcedCode = Exit.TERMINATED;
    if (this.interrupts > 1 || !this.open) return this.finish();
    this.requestEnd(1001);
  };

  private onError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.terminal.err(this.terminal.errStyle.error(`lomond: ${message}`));
    this.forcedCode ??= error instanceof TypeError || error instanceof RangeError ? Exit.USAGE : Exit.FAILED;
    this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.subscription?.unsubscribe();
    this.waiting?.unsubscribe();
    this.sender?.dispose();
    this.context.io.signals.off('SIGINT', this.onInterrupt);
    this.context.io.signals.off('SIGTERM', this.onTerminate);
    this.terminal.setPrompt(null);
    this.lines?.close();
    const code = this.forcedCode ?? this.outcome.exitCode;
    const summary = this.forcedCode === null ? this.outcome.summary : null;
    if (summary !== null) this.terminal.err(this.terminal.errStyle.error(`lomond: ${summary}`));
    this.terminal.dispose();
    this.resolve(code);
  }
}
