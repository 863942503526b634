/**
 * The Retry-After mark (lib/events/retry-after-mark.ts): the Node session
 * parses a rejected response's Retry-After when it builds the `rejected`
 * event, against the connection's clock, and persist reads the delay from it.
 */
import { Response } from '../../lib/core/response.js';
import { events, type WebSocketEvent } from '../../lib/events/events.js';
import { markRetryAfter, retryAfterOf } from '../../lib/events/retry-after-mark.js';
import { connect$ } from '../../lib/connect.js';
import { createTestServer } from '../../lib/testing.js';
import { newScheduler } from '../helpers/marbles.js';

/** The rejected event of one connection whose upgrade is answered 503 with `headers`. */
function rejected(headers: Record<string, string>, at = 0): WebSocketEvent {
  const scheduler = newScheduler();
  let event: WebSocketEvent | undefined;
  scheduler.run(() => {
    const server = createTestServer(scheduler, { autoAccept: false });
    server.at(at, () => server.reject(503, 'Service Unavailable', headers));
    connect$('ws://feed.test/', { transport: server.transport, scheduler, pingRate: 0 }).subscribe((e) => {
      if (e.name === 'rejected') event = e;
    });
  });
  return event!;
}

describe('the Retry-After mark', () => {
  it('marks exactly the event it was given', () => {
    const event = events.rejected(new Response(503, 'Service Unavailable', []), 'expected status 101, got 503 Service Unavailable', 0);
    expect(markRetryAfter(event, 1500)).toBe(event);
    expect([retryAfterOf(event), retryAfterOf({ ...event })]).toEqual([1500, null]);
  });

  it('is set by the Node session from Retry-After in seconds, or as an HTTP date against the connection clock', () => {
    expect(retryAfterOf(rejected({ 'Retry-After': '7' }))).toBe(7000);
    expect(retryAfterOf(rejected({ 'Retry-After': new Date(60_000).toUTCString() }, 10_000))).toBe(50_000);
  });

  it('is absent without a valid Retry-After', () => {
    expect(retryAfterOf(rejected({}))).toBeNull();
    expect(retryAfterOf(rejected({ 'Retry-After': 'soon' }))).toBeNull();
  });
});
