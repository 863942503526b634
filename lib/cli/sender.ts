/**
 * Sends the user's lines as text messages, in order and without growing
 * memory: while no connection is open (connecting, or --persist waiting
 * between attempts) lines are held and stdin is paused, and they go out at
 * the next `ready`; while the socket has more than {@link HIGH_WATER} bytes
 * queued, stdin is paused until it drains. So what is held is at most what
 * stdin had already read (one chunk), never the whole input.
 */
import type { Subscription } from 'rxjs';
import type { WebSocket } from '../websocket.js';

/** Bytes queued in the socket above which stdin is paused until it has drained. */
export const HIGH_WATER = 1024 * 1024;

/** The flow of the input the lines come from (a readline interface). */
export interface Flow {
  pause(): void;
  resume(): void;
}

/** See the file's comment. */
export class LineSender {
  private held: string[] = [];
  private draining: Subscription | null = null;
  private onFlushed: (() => void) | null = null;

  /**
   * @param ws - the connection to send on
   * @param flow - paused and resumed as described above
   * @param sent - called with each line once it was handed to the connection (the `>` echo)
   * @param failed - called with the message of an unexpected send error (the line is then dropped)
   */
  constructor(
    private readonly ws: WebSocket,
    private readonly flow: Flow,
    private readonly sent: (line: string) => void,
    private readonly failed: (message: string) => void,
  ) {}

  /** Sends `line` now, or holds it until the next {@link LineSender.ready}. */
  push(line: string): void {
    if (this.held.length > 0 || this.draining !== null || !this.ws.isActive) {
      this.held.push(line);
      this.flow.pause();
      return;
    }
    this.send(line);
  }

  /** A connection is open: sends what was held and reads on. */
  ready(): void {
    this.draining?.unsubscribe();
    this.draining = null;
    this.flush();
  }

  /** True when every line pushed so far was handed to the connection. */
  get isFlushed(): boolean {
    return this.held.length === 0 && this.draining === null;
  }

  /** Calls `listener` once every line pushed so far was handed to the connection (now, if they were); replaces an earlier one. */
  whenFlushed(listener: () => void): void {
    this.onFlushed = listener;
    if (this.isFlushed) this.flushed();
  }

  /** Stops waiting for a drain. */
  dispose(): void {
    this.draining?.unsubscribe();
    this.draining = null;
    this.onFlushed = null;
  }

  private flush(): void {
    while (this.held.length > 0 && this.draining === null && this.ws.isActive) this.send(this.held.shift()!);
    if (!this.isFlushed) return;
    this.flow.resume();
    this.flushed();
  }

  private flushed(): void {
    const listener = this.onFlushed;
    this.onFlushed = null;
    listener?.();
  }

  private send(line: string): void {
    try {
      this.ws.sendText(line);
    } catch (error) {
      this.failed((error as Error).message);
      return;
    }
    this.sent(line);
    if (this.ws.bufferedAmount <= HIGH_WATER) return;
    this.flow.pause();
    // Half drained, go on; if the connection ends first, the held lines wait for the next ready (--persist).
    let waiting = true;
    const subscription = this.ws.drain$(HIGH_WATER / 2).subscribe({
      complete: () => {
        waiting = false;
        this.draining = null;
        this.flush();
      },
      error: () => {
        waiting = false;
        this.draining = null;
      },
    });
    if (waiting) this.draining = subscription;
  }
}
