/**
 * A WebSocket's HTTP/2 stream as a transport: the write side
 * (`TransportConnection`: writes gathered per tick, `bufferedAmount` from the
 * stream's pending bytes, pause/resume) and the wiring of the stream's
 * response, data, end and reset to a subscriber.
 *
 * RFC 8441 §5: "The HTTP/2 stream closure is also analogous to the TCP
 * connection closure of [RFC6455]. Orderly TCP-level closures are
 * represented as END_STREAM flags ... RST exceptions are represented with the
 * RST_STREAM frame ... with the CANCEL error code".
 */
import { STATUS_CODES } from 'node:http';
import { constants, type ClientHttp2Stream, type IncomingHttpHeaders, type IncomingHttpStatusHeader } from 'node:http2';
import type { Subscriber } from 'rxjs';
import { ignoreError, transportError } from './socket-stream.js';
import type { ResponseHead, TransportConnection, TransportEvent } from './transport.js';

function uncork(connection: StreamConnection): void {
  connection.corked = false;
  connection.stream.uncork();
}

/** Marks a stream we reset ourselves: its close is no reset by the server. */
const kLocalReset = Symbol('lomond.h2reset');

const EMPTY = new Uint8Array(0);

/** The write side of a WebSocket's HTTP/2 stream. */
export class StreamConnection implements TransportConnection {
  /** True while writes are being gathered until the end of the current tick. */
  corked = false;

  constructor(readonly stream: ClientHttp2Stream) {}

  /** Writes of one tick go to node:http2 together (one writev, as few DATA frames as the windows allow). */
  write(data: Uint8Array): void {
    const stream = this.stream;
    if (!this.corked) {
      this.corked = true;
      stream.cork();
      process.nextTick(uncork, this);
    }
    stream.write(data);
  }

  /** Resets the stream (RST_STREAM with CANCEL, RFC 8441 §5's "RST exception"); the session lives on. */
  destroy(): void {
    const stream = this.stream as PipedStream;
    stream[kLocalReset] = true;
    if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
  }

  /** END_STREAM after our pending writes (RFC 8441 §5: "Orderly TCP-level closures are represented as END_STREAM flags"). */
  end(): void {
    const stream = this.stream;
    if (!stream.destroyed && !stream.writableEnded) stream.end();
  }

  /**
   * Bytes not yet handed to the session: node:http2 completes a write only once its DATA frames went out,
   * so this includes what waits for the server's flow-control window (RFC 9113 §6.9).
   */
  get bufferedAmount(): number {
    return this.stream.writableLength;
  }

  get needsDrain(): boolean {
    return this.stream.writableNeedDrain;
  }

  /** An empty write after the others: node:http2 calls back once they all went to the session (or the stream ended). */
  flushed(callback: () => void): void {
    if (!this.stream.writable) callback();
    else this.stream.write(EMPTY, callback);
  }

  /** Stops reading: node:http2 stops returning the stream's window, so the server stops after STREAM_WINDOW bytes. */
  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }
}

/** The response head of an HTTP/2 response: no reason phrase on the wire (RFC 9113 §8.3.2), Node's standard one instead. */
export function http2ResponseHead(headers: IncomingHttpHeaders & IncomingHttpStatusHeader): ResponseHead {
  const statusCode = Number(headers[':status'] ?? 0);
  const rawHeaders: Array<readonly [string, string]> = [];
  for (const name of Object.keys(headers)) {
    if (name.startsWith(':')) continue;
    const value = headers[name];
    if (Array.isArray(value)) for (const item of value) rawHeaders.push([name, item]);
    else if (value !== undefined) rawHeaders.push([name, String(value)]);
  }
  return { statusCode, status: STATUS_CODES[statusCode] ?? '', rawHeaders, httpVersion: '2' };
}

/** The subscriber a stream feeds: the listeners below are shared by all streams and find it here. */
const kPipe = Symbol('lomond.h2pipe');

type PipedStream = ClientHttp2Stream & { [kPipe]?: StreamPipe; [kLocalReset]?: boolean };

function onStreamResponse(this: PipedStream, headers: IncomingHttpHeaders & IncomingHttpStatusHeader): void {
  this[kPipe]?.subscriber.next({ type: 'response', head: http2ResponseHead(headers) });
}

function onStreamData(this: PipedStream, chunk: Buffer): void {
  this[kPipe]?.subscriber.next({ type: 'data', chunk });
}

function onStreamError(this: PipedStream, error: Error): void {
  this[kPipe]?.subscriber.error(transportError(error));
}

function endStream(stream: PipedStream): void {
  if (!stream.destroyed && !stream.writableEnded) stream.end();
}

// The server ended its side (END_STREAM, RFC 8441 §5's TCP FIN): end ours once our pending writes (an echoed close
// frame) are out, as a socket without allowHalfOpen does; 'close' follows. Not at once: node:http2 also ends the
// readable side just before it reports a RST_STREAM, and ending ours there would hide the reset.
function onStreamEnd(this: PipedStream): void {
  setImmediate(endStream, this);
}

const DRAIN: TransportEvent = { type: 'drain' };

function onStreamDrain(this: PipedStream): void {
  this[kPipe]?.subscriber.next(DRAIN);
}

function onStreamClose(this: PipedStream): void {
  const pipe = this[kPipe];
  if (pipe === undefined) return;
  // A reset without an error event: node:http2 reports RST_STREAM with CANCEL (and NO_ERROR) only as a close.
  const code = this.rstCode;
  if (code !== undefined && code !== constants.NGHTTP2_NO_ERROR && this[kLocalReset] !== true) {
    pipe.subscriber.error(new Error(`stream reset by the server (http/2 error code ${code})`));
  } else {
    pipe.subscriber.complete();
  }
}

/** A stream wired to a subscriber. */
export class StreamPipe {
  constructor(
    readonly subscriber: Subscriber<TransportEvent>,
    private readonly stream: PipedStream,
  ) {
    stream[kPipe] = this;
    stream.on('response', onStreamResponse);
    stream.on('data', onStreamData);
    stream.on('error', onStreamError);
    stream.on('end', onStreamEnd);
    stream.on('drain', onStreamDrain);
    stream.on('close', onStreamClose);
  }

  /** Removes the listeners and resets the stream if it is still open. */
  unsubscribe(): void {
    const stream = this.stream;
    stream.off('response', onStreamResponse);
    stream.off('data', onStreamData);
    stream.off('error', onStreamError);
    stream.off('drain', onStreamDrain);
    stream.off('close', onStreamClose);
    if (stream[kPipe] === this) stream[kPipe] = undefined;
    stream.on('error', ignoreError);
    if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
  }
}
