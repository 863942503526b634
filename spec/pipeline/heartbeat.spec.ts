/**
 * The heartbeat stage of the Node session: the shared cases
 * (spec/helpers/heartbeat-cases.ts) through the test server's transport, and
 * what only Node has (pause()).
 */
import { connect$ } from '../../lib/connect.js';
import { WebSocket } from '../../lib/websocket.js';
import { createTestServer } from '../../lib/testing.js';
import type { HeartbeatOptions } from '../../lib/connection/heartbeat.js';
import { describeHeartbeat } from '../helpers/heartbeat-cases.js';
import { NAMES, names, newScheduler } from '../helpers/marbles.js';

describeHeartbeat({
  name: 'Node build',
  around: (_server, body) => body(),
  connect$: (server, scheduler, heartbeat) => connect$('ws://feed.test/', { transport: server.transport, scheduler, pingRate: 0, poll: 60_000, heartbeat }),
  validate: (heartbeat) => connect$('ws://feed.test/', { heartbeat: heartbeat as HeartbeatOptions }),
});

describe('heartbeat (Node build only)', () => {
  it('holds the deadline while the application paused reading', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      const ws = new WebSocket('ws://feed.test/', { transport: server.transport, heartbeat: { interval: 100, timeout: 50, message: 'ping' } });
      server.at(120, () => ws.pause());
      server.at(400, () => ws.resume());
      const events$ = ws.connect$({ scheduler, pingRate: 0, poll: 60_000 });
      // Waiting since 100; paused from 120 to 400; then silent for 50 ms more: unresponsive at 450.
      expectObservable(names(events$)).toBe('(abrp) 444ms (ud|)', NAMES);
    });
  });

  it('is accepted by the WebSocket class too and validated there', () => {
    expect(() => new WebSocket('ws://feed.test/', { heartbeat: { interval: 5, timeout: 5, message: 1 as never } })).toThrow(
      new TypeError('heartbeat.message must be a string or a function, got number'),
    );
  });
});
