/**
 * openTunnel: an HTTP CONNECT tunnel (RFC 9110 §9.3.6) through an `http://`
 * proxy, handed over as the raw socket once the proxy answered 2xx. The
 * HTTP/2 path runs TLS with ALPN h2 (or h2c) inside it; RFC 8441 §8: "If a
 * client wishing to speak WebSockets connects via HTTP/2 to an HTTP proxy,
 * it should continue to use a traditional CONNECT".
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.3.6
 */
import { connect as netConnect, type Socket } from 'node:net';
import { HttpResponseReader, type HttpResponseHead } from '../core/http-response-reader.js';
import { bareHost } from '../core/url.js';
import { connectRequest } from './proxy.js';
import { parseProxyUrl } from './proxy-env.js';
import { ignoreError, transportError } from './socket-stream.js';

/** What {@link openTunnel} reports, once. */
export interface TunnelCallbacks {
  /** The proxy answered 2xx: `socket` now carries bytes to `host:port`; its listeners are the caller's. */
  onTunnel(socket: Socket): void;
  /** Connecting to the proxy failed or it refused, with the same texts as the HTTP/1.1 proxy path. */
  onError(error: Error): void;
}

/**
 * Connects to the proxy at `proxyUrl` and asks it for a tunnel to `host:port`. A non-2xx answer fails with
 * "proxy refused: 407 Proxy Authentication Required", an early close with "proxy closed the connection
 * before answering CONNECT".
 *
 * @returns cancels: destroys the socket unless it was handed over
 */
export function openTunnel(host: string, port: number, proxyUrl: string, callbacks: TunnelCallbacks): () => void {
  let raw: Socket;
  let request: string;
  try {
    const url = parseProxyUrl(proxyUrl);
    if (url.protocol !== 'http:') throw new Error(`unsupported proxy protocol ${url.protocol} (only http:// proxies are supported)`);
    request = connectRequest(host, port, url);
    raw = netConnect({ host: bareHost(url.hostname), port: url.port === '' ? 80 : Number(url.port) });
  } catch (error) {
    callbacks.onError(transportError(error));
    return () => undefined;
  }
  const reader = new HttpResponseReader();
  let settled = false;
  const detach = (): void => {
    settled = true;
    raw.off('connect', onConnect);
    raw.off('data', onHead);
    raw.off('error', onError);
    raw.off('close', onEarlyClose);
  };
  const fail = (error: Error): void => {
    detach();
    raw.on('error', ignoreError);
    raw.destroy();
    callbacks.onError(error);
  };
  const onConnect = (): void => {
    raw.setNoDelay(true);
    raw.write(request);
  };
  const onError = (error: Error): void => fail(transportError(error));
  const onEarlyClose = (): void => fail(new Error('proxy closed the connection before answering CONNECT'));
  const onHead = (chunk: Buffer): void => {
    let head: HttpResponseHead | null;
    try {
      head = reader.push(chunk);
    } catch (error) {
      fail(new Error(`invalid proxy response: ${(error as Error).message}`));
      return;
    }
    if (head === null) return;
    const { statusCode, status } = head.response;
    if (statusCode < 200 || statusCode > 299) {
      fail(new Error(`proxy refused: ${`${statusCode} ${status}`.trim()}`));
      return;
    }
    // The server speaks only after our preface or ClientHello: nothing may follow the 2xx.
    if (head.rest.length > 0) {
      fail(new Error(`proxy sent ${head.rest.length} unexpected bytes after its CONNECT response`));
      return;
    }
    detach();
    // Handed over inside this 'data' event: the new owner's listeners see every later byte.
    callbacks.onTunnel(raw);
  };
  raw.once('connect', onConnect);
  raw.on('data', onHead);
  raw.on('error', onError);
  raw.on('close', onEarlyClose);
  return () => {
    if (settled) return;
    detach();
    raw.on('error', ignoreError);
    raw.destroy();
  };
}
