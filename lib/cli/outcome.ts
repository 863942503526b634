/**
 * How the CLI's connection ended, and so its exit status: 0 after a clean
 * close (1000/1001) started by either side, 1 when the connection failed,
 * was rejected, broke the protocol, went silent, dropped, or the server
 * closed with another code; with a one-line summary of why for stderr. With
 * `--persist` the last connection decides.
 */
import type { WebSocketEvent } from '../events/events.js';
import { hintFor, readableReason } from './reasons.js';
import { isCleanCode } from './render.js';

/** The CLI's exit statuses. */
export const Exit = {
  /** A clean close (1000/1001) by either side. */
  OK: 0,
  /** The connection failed, was rejected, dropped, or closed with another code. */
  FAILED: 1,
  /** A usage error (bad option, bad URL, unreadable --ca file). */
  USAGE: 2,
  /** Ended by SIGINT (128 + 2, as shells report it). */
  INTERRUPTED: 130,
  /** Ended by SIGTERM (128 + 15). */
  TERMINATED: 143,
} as const;

/** Watches one connection at a time (each `connecting` starts afresh). */
export class Outcome {
  /** We sent the close of this connection (Ctrl-D, -x, -w, Ctrl-C). */
  private ownClose = false;
  /** The server's close frame, when the server started the close. */
  private serverClose: { code: number; reason: string } | null = null;
  /** The close handshake completed. */
  private closed = false;
  /** What went wrong, as the summary tells it. */
  private failure: string | null = null;
  /** The reason of the final `disconnected`, when it was not graceful. */
  private lost: string | null = null;
  /** True once any event was seen. */
  private started = false;

  /** Takes the next event of the stream. */
  observe(event: WebSocketEvent): void {
    switch (event.name) {
      case 'connecting':
        this.ownClose = this.closed = false;
        this.serverClose = this.failure = this.lost = null;
        this.started = true;
        break;
      case 'connect_fail': {
        const reason = readableReason(event.reason);
        const hint = hintFor(event.reason);
        this.failure = `could not connect: ${reason}${hint === null ? '' : ` (${hint})`}`;
        break;
      }
      case 'rejected':
        this.failure = `the server refused the upgrade: ${event.reason}`;
        break;
      case 'protocol_error':
        this.failure = `protocol error: ${event.error}`;
        break;
      case 'unresponsive':
        this.failure = 'the server went silent (nothing received within --ping-timeout)';
        break;
      case 'closing':
        this.serverClose = { code: event.code, reason: event.reason };
        break;
      case 'closed':
        this.closed = true;
        break;
      case 'disconnected':
        if (!event.graceful) this.lost = event.reason;
        break;
    }
  }

  /** The CLI is about to close this connection itself (with 1000 or 1001). */
  closing(): void {
    this.ownClose = true;
  }

  /** 0 or 1 (see the file's comment). */
  get exitCode(): number {
    if (this.failure !== null || !this.closed) return Exit.FAILED;
    // The code that counts is the one of the side that started the close; ours is always 1000 or 1001.
    if (this.serverClose !== null) return isCleanCode(this.serverClose.code) ? Exit.OK : Exit.FAILED;
    return this.ownClose ? Exit.OK : Exit.FAILED;
  }

  /** Why the exit status is 1, in one line (null when it is 0). */
  get summary(): string | null {
    if (this.exitCode === Exit.OK) return null;
    if (this.failure !== null) return this.failure;
    if (this.serverClose !== null && !isCleanCode(this.serverClose.code)) {
      const { code, reason } = this.serverClose;
      return `the server closed with code ${code}${reason === '' ? '' : ` (${reason})`}`;
    }
    if (this.lost !== null) return this.ownClose ? `the close handshake did not complete: ${this.lost}` : `connection lost: ${this.lost}`;
    return this.started ? 'the connection ended without a close handshake' : 'no connection was made';
  }
}
