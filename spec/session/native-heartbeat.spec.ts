/**
 * The heartbeat of the browser session (native-session.ts): the shared cases
 * (spec/helpers/heartbeat-cases.ts) through the test server's DOM-shaped
 * WebSocket, installed as globalThis.WebSocket.
 */
import { connect$ } from '../../lib/browser/connect.js';
import { WebSocket } from '../../lib/browser/websocket.js';
import type { HeartbeatOptions } from '../../lib/connection/heartbeat.js';
import { installTestWebSocket } from '../../lib/testing.js';
import { describeHeartbeat } from '../helpers/heartbeat-cases.js';

describeHeartbeat({
  name: 'browser build',
  around: (server, body) => {
    const restore = installTestWebSocket(server);
    try {
      body();
    } finally {
      restore();
    }
  },
  connect$: (_server, scheduler, heartbeat) => connect$('ws://feed.test/', { scheduler, poll: 60_000, heartbeat }),
  validate: (heartbeat) => connect$('ws://feed.test/', { heartbeat: heartbeat as HeartbeatOptions }),
});

describe('heartbeat (browser build only)', () => {
  it('is accepted by the browser WebSocket class and validated there', () => {
    expect(() => new WebSocket('ws://feed.test/', { heartbeat: { interval: 5, timeout: 0, message: 'x' } })).toThrow(
      new RangeError('heartbeat.timeout must be a finite number >= 1 and <= 2147483647, got 0'),
    );
  });
});
