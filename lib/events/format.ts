/**
 * formatEvent: one-line, Python-Lomond-style representations of events for
 * the CLI and logs, e.g. `Text(text='hi')`, `Ready(protocol=null, extensions=[])`,
 * `Disconnected(reason='closed', graceful=true)`, `Pong(data=<4 bytes>, rtt=12)`,
 * `BackOff(delay=7512, attempt=1)`.
 */
import type { WebSocketEvent } from './events.js';

const CLASS_NAMES: Record<WebSocketEvent['name'], string> = {
  connecting: 'Connecting',
  connected: 'Connected',
  connect_fail: 'ConnectFail',
  rejected: 'Rejected',
  ready: 'Ready',
  text: 'Text',
  binary: 'Binary',
  ping: 'Ping',
  pong: 'Pong',
  poll: 'Poll',
  closing: 'Closing',
  closed: 'Closed',
  disconnected: 'Disconnected',
  protocol_error: 'ProtocolError',
  unresponsive: 'Unresponsive',
  back_off: 'BackOff',
  unknown: 'UnknownMessage',
};

/** A string literal with quotes and control characters escaped, in single quotes. */
function quote(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${escaped}'`;
}

function bytes(data: Uint8Array): string {
  return `<${data.length} byte${data.length === 1 ? '' : 's'}>`;
}

function fields(event: WebSocketEvent): string {
  switch (event.name) {
    case 'connecting':
      return `url=${quote(event.url)}`;
    case 'connected':
      return `url=${quote(event.url)}, proxy=${event.proxy === null ? 'null' : quote(event.proxy)}`;
    case 'connect_fail':
      return `reason=${quote(event.reason)}`;
    case 'rejected':
      return `response=${event.response.toString()}, reason=${quote(event.reason)}`;
    case 'ready':
      return `protocol=${event.protocol === null ? 'null' : quote(event.protocol)}, extensions=[${[...event.extensions].map(quote).join(', ')}]`;
    case 'text':
      return `text=${quote(event.text)}`;
    case 'binary':
    case 'ping':
      return `data=${bytes(event.data)}`;
    case 'pong':
      // The round trip only when the pong answers one of our pings.
      return event.rtt === null ? `data=${bytes(event.data)}` : `data=${bytes(event.data)}, rtt=${Math.round(event.rtt)}`;
    case 'closing':
    case 'closed':
      return `code=${event.code}, reason=${quote(event.reason)}`;
    case 'disconnected':
      return `reason=${quote(event.reason)}, graceful=${event.graceful}`;
    case 'protocol_error':
      return `error=${quote(event.error)}, critical=${event.critical}`;
    case 'back_off':
      return `delay=${Math.round(event.delay)}, attempt=${event.attempt}`;
    case 'unknown':
      return `opcode=${event.opcode}, data=${bytes(event.data)}`;
    case 'poll':
    case 'unresponsive':
      return '';
  }
}

/**
 * One line describing `event`.
 *
 * @example
 * ```ts
 * formatEvent(events.text('hi', 0)); // "Text(text='hi')"
 * ```
 */
export function formatEvent(event: WebSocketEvent): string {
  return `${CLASS_NAMES[event.name]}(${fields(event)})`;
}
