/**
 * The http.Agent path (SPEC `agent`): the upgrade request goes out through
 * `http.request` / `https.request` with the user's agent (e.g.
 * `HttpsProxyAgent`), and Node parses the response head, so this transport
 * emits `response` itself.
 */
import { request as httpRequest, type Agent, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { Observable } from 'rxjs';
import { MAX_REJECTED_BODY } from '../core/response-body.js';
import { socketOptions } from './net.js';
import { redactProxy } from './proxy-env.js';
import { ignoreError, pipeSocket, socketConnection, transportError } from './socket-stream.js';
import { tlsOptions } from './tls.js';
import type { ResponseHead, TransportEvent, TransportTarget } from './transport.js';

/** What proxy agents (https-proxy-agent) report once the proxy answered CONNECT. */
interface ProxyConnect {
  readonly statusCode: number;
  readonly statusText?: string;
}

/**
 * The proxy an agent goes through, redacted, when it exposes one as a `proxy` URL (or string) property
 * like `HttpsProxyAgent`; else null.
 */
export function agentProxy(agent: Agent): string | null {
  const proxy: unknown = (agent as { proxy?: unknown }).proxy;
  if (proxy instanceof URL) return redactProxy(proxy.href);
  return typeof proxy === 'string' ? redactProxy(proxy) : null;
}

/** Node's response head as a {@link ResponseHead}: raw headers in pairs, in order. */
function responseHead(res: IncomingMessage): ResponseHead {
  const rawHeaders: Array<readonly [string, string]> = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) rawHeaders.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
  return { statusCode: res.statusCode ?? 0, status: res.statusMessage ?? '', rawHeaders, httpVersion: res.httpVersion === '1.0' ? '1.0' : '1.1' };
}

/**
 * Sends the upgrade request through `agent` (`https.request` for `wss:`, with the TLS options of
 * {@link tlsOptions}); the request's headers go out as given, in order. On `101` it emits `open`,
 * `response`, the bytes that came with the head, then the socket's data; on any other status `open`,
 * `response`, the body's bytes (decoded by Node, at most {@link MAX_REJECTED_BODY} of them), then completes. A proxy agent whose CONNECT is refused (a `proxyConnect` event with a
 * non-200 status) errors the stream with "proxy refused: 407 Proxy Authentication Required" before Node
 * could report the proxy's answer as the server's. Unsubscribing destroys the request and its socket.
 */
export function agentStream(target: TransportTarget, agent: Agent): Observable<TransportEvent> {
  return new Observable<TransportEvent>((subscriber) => {
    const proxy = agentProxy(agent);
    const headers: string[] = [];
    for (const [name, value] of target.request.headers) headers.push(name, value);
    // The agent makes the socket: it gets the Unix socket path and the socket options as http.request passes them on.
    const options: RequestOptions = { agent, host: target.host, port: target.port, path: target.request.path, method: 'GET', headers, ...socketOptions(target) };
    if (target.socketPath !== undefined) options.socketPath = target.socketPath;
    let req: ClientRequest;
    try {
      req = target.secure ? httpsRequest({ ...tlsOptions(target), ...options }) : httpRequest(options);
    } catch (error) {
      subscriber.error(transportError(error));
      return;
    }
    let upgraded: Socket | null = null;
    let unpipe: (() => void) | null = null;

    const onProxyConnect = (connect: ProxyConnect): void => {
      if (connect.statusCode !== 200) {
        subscriber.error(new Error(`proxy refused: ${`${connect.statusCode} ${connect.statusText ?? ''}`.trim()}`));
      }
    };
    const onUpgrade = (res: IncomingMessage, socket: Socket, head: Buffer): void => {
      upgraded = socket;
      subscriber.next({ type: 'open', connection: socketConnection(socket), proxy });
      subscriber.next({ type: 'response', head: responseHead(res) });
      if (head.length > 0) subscriber.next({ type: 'data', chunk: head });
      if (!subscriber.closed) unpipe = pipeSocket(subscriber, socket);
    };
    const onResponse = (res: IncomingMessage): void => {
      subscriber.next({ type: 'open', connection: socketConnection(res.socket), proxy });
      subscriber.next({ type: 'response', head: responseHead(res) });
      // The refusal's body, de-chunked by Node, for `rejected.body`: at most MAX_REJECTED_BODY bytes, then the
      // request is dropped (unsubscribing destroys it), so a server cannot make us read more.
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        if (subscriber.closed) return;
        received += chunk.length;
        subscriber.next({ type: 'data', chunk });
        if (received >= MAX_REJECTED_BODY) subscriber.complete();
      });
      res.on('end', () => subscriber.complete());
      res.on('error', () => subscriber.complete());
      res.on('aborted', () => subscriber.complete());
    };
    const onError = (error: Error): void => subscriber.error(transportError(error));
    req.on('proxyConnect', onProxyConnect);
    req.on('upgrade', onUpgrade);
    req.on('response', onResponse);
    req.on('error', onError);
    req.end();
    return () => {
      req.off('proxyConnect', onProxyConnect);
      req.off('upgrade', onUpgrade);
      req.off('response', onResponse);
      req.off('error', onError);
      req.on('error', ignoreError);
      req.destroy();
      unpipe?.();
      (upgraded as Socket | null)?.destroy();
    };
  });
}
