/**
 * connection/heartbeat.ts on its own, with a scripted host: what it sends,
 * when it gives up, and what it leaves alone. The lifecycles of both builds
 * are in spec/helpers/heartbeat-cases.ts.
 */
import { Heartbeat, heartbeatFailure, type HeartbeatHost, type HeartbeatOptions } from '../../lib/connection/heartbeat.js';
import { events } from '../../lib/events/events.js';
import { every } from '../../lib/scheduling/periodic-timers.js';
import { newScheduler } from '../helpers/marbles.js';

/** A host that records what the heartbeat asked of it. */
type RecordingHost = HeartbeatHost & { log: string[]; active: boolean };

function host(overrides: Partial<HeartbeatHost> = {}): RecordingHost {
  const log: string[] = [];
  const h: RecordingHost = {
    log,
    active: true,
    get isActive(): boolean {
      return h.active;
    },
    readPaused: false,
    readResumedAt: 0,
    sendHeartbeat: (message: string | Uint8Array) => log.push(`send ${typeof message === 'string' ? message : `[${[...message]}]`}`),
    heartbeatTimedOut: () => log.push('timed out'),
    heartbeatFailed: (error: unknown) => log.push(heartbeatFailure(error)),
    ...overrides,
  };
  return h;
}

/** Runs a heartbeat from 0 to `until` virtual ms, with `script(beat, at)` scheduling what else happens. */
function run(options: HeartbeatOptions, h: RecordingHost, until: number, script: (beat: Heartbeat, at: (ms: number, fn: () => void) => void) => void = () => {}): string[] {
  const scheduler = newScheduler();
  scheduler.run(() => {
    const beat = new Heartbeat(scheduler, options, h, every);
    const at = (ms: number, fn: () => void): void => void scheduler.schedule(() => fn(), ms);
    at(0, () => beat.start());
    script(beat, at);
    at(until, () => beat.stop());
  });
  return h.log.map((line) => line);
}

const text = (value: string) => events.text(value, 0);

describe('Heartbeat', () => {
  it('sends nothing before the first interval, and skips heartbeats while the connection cannot send', () => {
    const h = host();
    const log = run({ interval: 10, timeout: 100, message: 'hb' }, h, 45, (_beat, at) => {
      at(15, () => (h.active = false));
      at(35, () => (h.active = true));
    });
    // 10 sent; 20 and 30 skipped while inactive; 40 sent. No reply, but the deadline (110) is after the stop.
    expect(log).toEqual(['send hb', 'send hb']);
  });

  it('times out once, from the oldest unanswered heartbeat, and then stops sending', () => {
    const h = host();
    const scheduler = newScheduler();
    const times: number[] = [];
    scheduler.run(() => {
      const beat = new Heartbeat(scheduler, { interval: 10, timeout: 25, message: 'hb' }, { ...h, heartbeatTimedOut: () => times.push(scheduler.now()) } as HeartbeatHost, every);
      beat.start();
      scheduler.schedule(() => beat.stop(), 200);
    });
    expect(times).toEqual([35]); // waiting since 10, timeout 25
  });

  it('is answered by any message without isReply, and only by accepted ones with it', () => {
    const any = run({ interval: 10, timeout: 5, message: 'hb' }, host(), 33, (beat, at) => {
      at(12, () => beat.received(events.binary(new Uint8Array([1]), 12)));
      at(22, () => beat.received(text('x')));
    });
    expect(any).toEqual(['send hb', 'send hb', 'send hb']);
    const picky = run({ interval: 10, timeout: 5, message: 'hb', isReply: (e) => e.name === 'text' && e.text === 'pong' }, host(), 30, (beat, at) => {
      at(12, () => beat.received(text('noise')));
    });
    expect(picky).toEqual(['send hb', 'timed out']);
  });

  it('ignores messages while nothing waits (isReply is not even called)', () => {
    let calls = 0;
    run({ interval: 10, timeout: 5, message: 'hb', isReply: () => ++calls > 0 }, host(), 9, (beat, at) => {
      at(5, () => beat.received(text('early')));
    });
    expect(calls).toBe(0);
  });

  it('reports a message function that throws or returns the wrong type, and stops', () => {
    const thrown = run(
      {
        interval: 10,
        timeout: 5,
        message: () => {
          throw new Error('no token');
        },
      },
      host(),
      50,
    );
    expect(thrown).toEqual(['heartbeat failed: no token']);
    expect(run({ interval: 10, timeout: 5, message: () => null as never }, host(), 50)).toEqual([
      'heartbeat failed: heartbeat.message must return a string or a Uint8Array, got null',
    ]);
    expect(heartbeatFailure('plain')).toBe('heartbeat failed: plain');
  });

  it('sends bytes from a message function as they are', () => {
    expect(run({ interval: 10, timeout: 100, message: () => new Uint8Array([7, 8]) }, host(), 15)).toEqual(['send [7,8]']);
  });

  it('stands still while reading is paused and counts from the resume', () => {
    const h = host();
    const scheduler = newScheduler();
    const times: number[] = [];
    const paused = { value: false, resumedAt: 0 };
    scheduler.run(() => {
      const beat = new Heartbeat(
        scheduler,
        { interval: 10, timeout: 5, message: 'hb' },
        {
          ...h,
          get readPaused() {
            return paused.value;
          },
          get readResumedAt() {
            return paused.resumedAt;
          },
          heartbeatTimedOut: () => times.push(scheduler.now()),
        } as HeartbeatHost,
        every,
      );
      beat.start();
      scheduler.schedule(() => (paused.value = true), 11);
      scheduler.schedule(() => Object.assign(paused, { value: false, resumedAt: 40 }), 40);
      scheduler.schedule(() => beat.stop(), 100);
    });
    expect(times).toEqual([45]);
  });
});
