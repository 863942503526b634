/**
 * The close handshake's timer in virtual time: closeTimeout counts from when
 * our close frame was handed to the transport. While the frame still waits
 * (behind compressed messages, or behind inflations before a fault is
 * reported) the timer is parked, however long that takes, and `@close-sent`
 * (the sink calls `passed()`) starts the server's closeTimeout.
 */
import { TestScheduler } from 'rxjs/testing';
import { CloseHandshake } from '../../lib/pipeline/close-handshake.js';
import type { Connection } from '../../lib/connection/connection.js';
import type { Signals } from '../../lib/connection/signals.js';

/** The parts of a Connection the close handshake reads, on `scheduler`'s clock. */
function fakeConnection(scheduler: TestScheduler, closeTimeout: number) {
  return {
    options: { scheduler, closeTimeout },
    sentCloseTime: null as number | null,
    phase: 'open',
    protocol: { state: 'closing' },
    transport: null,
    now: () => scheduler.now(),
    internalError: (error: unknown) => {
      throw error;
    },
  };
}

describe('CloseHandshake', () => {
  it('waits for the close frame to leave, then gives the server closeTimeout from then', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const ends: Array<{ at: number; reason: string }> = [];
    scheduler.run(() => {
      const conn = fakeConnection(scheduler, 50);
      const handshake = new CloseHandshake(conn as unknown as Connection, {
        next: (batch: Signals) => {
          const end = batch[0] as { final: { reason: string } };
          ends.push({ at: scheduler.now(), reason: end.final.reason });
        },
      } as never);
      // The close frame waits 400 ms behind inflations (8 closeTimeouts), then leaves; the sink hears @close-sent.
      scheduler.schedule(() => {
        conn.sentCloseTime = scheduler.now();
        handshake.passed();
      }, 400);
    });
    expect(ends).toEqual([{ at: 450, reason: 'close timeout' }]);
  });

  /**
   * The times (virtual ms) at which the handshake ended the session, when `act` runs at `at` (closeTimeout 50);
   * `sink.attached` is what the session's sink says (false once the subscriber unsubscribed).
   */
  function endsWith(at: number, act: (conn: ReturnType<typeof fakeConnection>, handshake: CloseHandshake, sink: { attached: boolean }) => void, attached = true): number[] {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const ends: number[] = [];
    scheduler.run(() => {
      const conn = fakeConnection(scheduler, 50);
      const sink = { attached, next: () => ends.push(scheduler.now()) };
      const handshake = new CloseHandshake(conn as unknown as Connection, sink as never);
      scheduler.schedule(() => act(conn, handshake, sink), at);
    });
    return ends;
  }

  it('tears down at closeTimeout, sent or not, once the subscriber is gone (SPEC: unsubscribing)', () => {
    expect(endsWith(400, () => undefined, false)).toEqual([50]);
  });

  it('ends a timer parked for a waiting close frame when the subscriber leaves', () => {
    const ends = endsWith(200, (_conn, handshake, sink) => {
      sink.attached = false;
      handshake.detached();
    });
    expect(ends).toEqual([200]);
  });

  it('counts from the hand-over when the frame left before the timer fell due', () => {
    const ends = endsWith(30, (conn, handshake) => {
      conn.sentCloseTime = 30;
      handshake.passed();
    });
    expect(ends).toEqual([80]);
  });

  it('ends nothing once the session ended while the frame waited', () => {
    const ends = endsWith(200, (conn, handshake) => {
      conn.phase = 'ended';
      handshake.stop();
    });
    expect(ends).toEqual([]);
  });
});
