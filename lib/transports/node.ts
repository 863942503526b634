/**
 * nodeTransport: the default Transport on Node — node:net for ws:, node:tls
 * for wss: (certificates verified by default; SNI from the host name).
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { isIP } from 'node:net';
import type { Transport } from './transport.js';
import { socketStream } from './socket-stream.js';

/** The Node transport. */
export const nodeTransport: Transport = {
  open: (target) =>
    target.secure
      ? socketStream(
          target,
          () =>
            tlsConnect({
              ...target.tls,
              host: target.host,
              port: target.port,
              // SNI must be a host name, never an IP literal (RFC 6066 §3).
              servername: target.tls?.servername ?? (isIP(target.host) ? undefined : target.host),
            }),
          'secureConnect',
        )
      : socketStream(target, () => netConnect({ host: target.host, port: target.port }), 'connect'),
};
