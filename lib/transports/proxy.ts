/**
 * The proxy path: an HTTP CONNECT tunnel (RFC 9110 §9.3.6) over node:net to
 * an `http://` proxy, then the WebSocket upgrade through the tunnel — in
 * clear for `ws:`, inside TLS to the server for `wss:`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.3.6
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Observable } from 'rxjs';
import { HttpResponseReader, type HttpResponseHead } from '../core/http-response-reader.js';
import { authority, bareHost } from '../core/url.js';
import { socketOptions } from './net.js';
import { parseProxyUrl, redactProxy } from './proxy-env.js';
import { ignoreError, openSocket, pipeSocket, transportError } from './socket-stream.js';
import { tlsOptions } from './tls.js';
import type { TransportEvent, TransportTarget } from './transport.js';

/**
 * The CONNECT request head for `target`, with `Proxy-Authorization: Basic` when the proxy URL carries
 * credentials (percent-decoded first, as they are written in URL form).
 *
 * @example
 * ```ts
 * connectRequest('example.com', 443, new URL('http://a%40b:pw@proxy:3128'));
 * // 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nProxy-Authorization: Basic YUBiOnB3\r\n\r\n'
 * ```
 * @throws Error "invalid proxy credentials encoding" for a malformed percent escape
 */
export function connectRequest(host: string, port: number, proxy: URL): string {
  // RFC 9110 §9.3.6: "the request-target consists of only the host name and port number of the tunnel destination"
  const target = authority(host, port);
  let head = `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n`;
  if (proxy.username !== '' || proxy.password !== '') {
    let credentials: string;
    try {
      credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    } catch {
      throw new Error('invalid proxy credentials encoding');
    }
    head += `Proxy-Authorization: Basic ${Buffer.from(credentials, 'utf8').toString('base64')}\r\n`;
  }
  return `${head}\r\n`;
}

/**
 * Tunnels to `target` through the `http://` proxy at `proxyUrl`: connects to the proxy, sends CONNECT,
 * reads the proxy's answer; on 2xx it runs TLS over the tunnel for `wss:` (certificate checked against
 * `target.host`), then writes the upgrade request and emits `open` with the redacted proxy URL. A non-2xx
 * answer errors with "proxy refused: 407 Proxy Authentication Required"; other proxy schemes error with
 * "unsupported proxy protocol https: (only http:// proxies are supported)". Unsubscribing destroys the
 * sockets at any stage.
 */
export function proxyStream(target: TransportTarget, proxyUrl: string): Observable<TransportEvent> {
  return new Observable<TransportEvent>((subscriber) => {
    const proxy = redactProxy(proxyUrl);
    let request: string;
    let raw: Socket;
    try {
      const url = parseProxyUrl(proxyUrl);
      if (url.protocol !== 'http:') throw new Error(`unsupported proxy protocol ${url.protocol} (only http:// proxies are supported)`);
      request = connectRequest(target.host, target.port, url);
      // lookup, family and localAddress shape our socket, which goes to the proxy.
      raw = netConnect({ host: bareHost(url.hostname), port: url.port === '' ? 80 : Number(url.port), ...socketOptions(target) });
    } catch (error) {
      subscriber.error(transportError(error));
      return;
    }
    const reader = new HttpResponseReader();
    let unpipe: (() => void) | null = null;

    const onConnect = (): void => {
      raw.setNoDelay(true);
      raw.write(request);
    };
    const onError = (error: Error): void => subscriber.error(transportError(error));
    const onEarlyClose = (): void => subscriber.error(new Error('proxy closed the connection before answering CONNECT'));
    const detach = (): void => {
      raw.off('connect', onConnect);
      raw.off('data', onHead);
      raw.off('error', onError);
      raw.off('close', onEarlyClose);
    };
    const onHead = (chunk: Buffer): void => {
      let head: HttpResponseHead | null;
      try {
        head = reader.push(chunk);
      } catch (error) {
        subscriber.error(new Error(`invalid proxy response: ${(error as Error).message}`));
        return;
      }
      if (head === null) return;
      detach();
      const { statusCode, status } = head.response;
      if (statusCode < 200 || statusCode > 299) {
        subscriber.error(new Error(`proxy refused: ${`${statusCode} ${status}`.trim()}`));
        return;
      }
      // The server speaks only after our request (ws) or ClientHello (wss): nothing may follow the 200.
      if (head.rest.length > 0) {
        subscriber.error(new Error(`proxy sent ${head.rest.length} unexpected bytes after its CONNECT response`));
        return;
      }
      // Wired synchronously, inside this 'data' event: no later chunk can slip past.
      if (target.secure) {
        const secure = tlsConnect(tlsOptions(target, raw));
        secure.once('secureConnect', () => openSocket(subscriber, secure, target.request.bytes, proxy));
        unpipe = pipeSocket(subscriber, secure);
        // Faults of the tunnel itself (reset by the proxy) surface on the raw socket.
        raw.on('error', onError);
      } else {
        unpipe = pipeSocket(subscriber, raw);
        openSocket(subscriber, raw, target.request.bytes, proxy);
      }
    };
    raw.once('connect', onConnect);
    raw.on('data', onHead);
    raw.on('error', onError);
    raw.on('close', onEarlyClose);
    return () => {
      detach();
      unpipe?.();
      raw.on('error', ignoreError);
      raw.destroy();
    };
  });
}
