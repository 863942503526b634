/**
 * inflate: permessage-deflate decompression (RFC 7692). Placeholder until the
 * compression layer lands: compression is never negotiated yet, so no
 * `@compressed` signal can reach it.
 */
import type { OperatorFunction } from 'rxjs';
import type { Connection } from '../session/connection.js';
import type { Signals } from '../session/signals.js';

/** Operator: `@compressed` messages → text/binary events. */
export function inflate(_conn: Connection): OperatorFunction<Signals, Signals> {
  return (source) => source;
}
