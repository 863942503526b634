/**
 * Rejection: a refused upgrade on its way to the `rejected` event. A non-101
 * answer's body is read first, because servers explain refusals there
 * (SPEC `rejected.body`: at most 4 KiB, read within `connectTimeout`): the
 * event goes out when the body is complete or 4 KiB are in, when the server
 * ends the connection, or when `connectTimeout` expires — with what came.
 */
import { ResponseBodyReader } from '../core/response-body.js';
import type { Response } from '../core/response.js';
import { parseRetryAfter } from '../core/retry-after.js';
import { events } from '../events/events.js';
import { markRetryAfter } from '../events/retry-after-mark.js';
import { endWith, type Signals } from '../connection/signals.js';

/** A refused answer and, for a non-101 one, its body so far. */
export class Rejection {
  /** Null for a 101 (or an HTTP/2 2xx) that failed the checks: it has no body to wait for. */
  private readonly body: ResponseBodyReader | null;

  /**
   * @param response - the answer
   * @param reason - why it is refused
   * @param decoded - true when the bytes that follow are the body itself (Node parsed the framing: the http.Agent path)
   */
  constructor(
    private readonly response: Response,
    private readonly reason: string,
    decoded: boolean,
  ) {
    // RFC 9110 §9.3.6: a 2xx answer to CONNECT turns the stream into a tunnel, so over HTTP/2 (RFC 8441's extended
    // CONNECT) a 2xx that failed the checks has no body either, only WebSocket frames.
    const tunnel = response.statusCode === 101 || (response.httpVersion === '2' && response.statusCode >= 200 && response.statusCode <= 299);
    this.body = tunnel ? null : new ResponseBodyReader(response, { decoded });
  }

  /** True once the event can go out: the body (its first 4 KiB) is in. */
  get complete(): boolean {
    return this.body === null || this.body.done;
  }

  /**
   * Feeds bytes after the head.
   *
   * @returns {@link complete}
   */
  push(chunk: Uint8Array): boolean {
    return this.body === null || this.body.push(chunk);
  }

  /** The batch that ends the session: `rejected` (with the body, and a Retry-After mark for persist), then `disconnected`. */
  end(now: number): Signals {
    const rejected = events.rejected(this.response, this.reason, now, this.body?.body());
    // For persist: a Retry-After header (seconds or an HTTP date, RFC 9110 §10.2.3) sets the next wait.
    const retryAfter = parseRetryAfter(this.response.get('retry-after'), now);
    if (retryAfter !== null) markRetryAfter(rejected, retryAfter);
    return [rejected, endWith(events.disconnected('rejected', true, now))];
  }
}
