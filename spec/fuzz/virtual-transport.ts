/**
 * Driver (a): an in-memory {@link Transport} that plays a case's script to
 * the client, the way lib/testing's TestConnection does, but on the real
 * event loop (setImmediate between chunks, RxJS's async scheduler for the
 * client's timers) so that thousands of cases run in seconds. Its `open` is
 * cold like a socket's: subscribing connects, unsubscribing is the client
 * closing its socket. It can hold the client's writes a turn (backpressure:
 * `needsDrain`, then `drain`), which a loopback socket rarely does.
 */
import { performance } from 'node:perf_hooks';
import { Observable } from 'rxjs';
import type { Transport, TransportConnection, TransportEvent, TransportTarget } from '../../lib/transports/transport.js';
import type { Driver } from './run-case.js';
import type { DriverProfile, Scenario } from './scenario.js';
import { emptyLog, ScriptPlayer, type ServerLog } from './script-player.js';

/** The virtual driver's timing: no network, so short timeouts. */
export const VIRTUAL: DriverProfile = { name: 'virtual', closeTimeout: 50, connectTimeout: 5000, stallConnectTimeout: 40, maxChunks: 20_000 };

/** A transport that plays one case (one connection). */
export class ScriptedTransport implements Transport {
  readonly log: ServerLog = emptyLog();
  /** Connections opened (more than one is a finding: the client reconnected by itself). */
  opened = 0;

  constructor(
    private readonly scenario: Scenario,
    private readonly onScriptEnd: () => void,
    private readonly profile: DriverProfile = VIRTUAL,
  ) {}

  open(target: TransportTarget): Observable<TransportEvent> {
    return new Observable<TransportEvent>((subscriber) => {
      this.opened++;
      let over = false;
      // While the client pauses reading, what the server sends waits here, in order, as in a TCP buffer.
      let paused = false;
      const held: Array<() => void> = [];
      const deliver = (action: () => void): void => {
        if (over) return;
        if (paused || held.length > 0) held.push(action);
        else action();
      };
      const player = new ScriptPlayer(
        this.scenario,
        this.profile,
        {
          send: (chunk) => deliver(() => subscriber.next({ type: 'data', chunk })),
          end: () =>
            deliver(() => {
              over = true;
              subscriber.complete();
            }),
          reset: () =>
            deliver(() => {
              over = true;
              subscriber.error(new Error('read ECONNRESET'));
            }),
        },
        this.log,
        this.onScriptEnd,
      );
      const flush = (): void => {
        while (!paused && !over && held.length > 0) held.shift()!();
      };
      // With backpressure, the client's writes wait a turn, as behind a full socket buffer: `needsDrain` holds until
      // the `drain` event of the next turn. The buffers are not copied (a socket does not copy them either).
      const backpressure = this.scenario.server.backpressure === true;
      let queued: Array<{ readonly data: Uint8Array; readonly at: number }> = [];
      let buffered = 0;
      let draining: NodeJS.Immediate | null = null;
      const handOver = (): void => {
        const writes = queued;
        queued = [];
        buffered = 0;
        for (const { data, at } of writes) player.onClientData(data, at);
      };
      const drain = (): void => {
        draining = null;
        handOver();
        if (!over) subscriber.next({ type: 'drain' });
      };
      const connection: TransportConnection = {
        write: (data) => {
          if (!backpressure) return player.onClientData(data);
          if (over) {
            // Once the connection is over, writes go straight to the log, after those still queued.
            handOver();
            return player.onClientData(data);
          }
          queued.push({ data, at: performance.now() });
          buffered += data.length;
          draining ??= setImmediate(drain);
        },
        destroy: () => {
          // What was written before the teardown reached the server (the kernel had it): the log stays complete.
          handOver();
          player.clientGone();
        },
        get bufferedAmount() {
          return buffered;
        },
        get needsDrain() {
          return buffered > 0;
        },
        pause: () => {
          paused = true;
        },
        resume: () => {
          paused = false;
          setImmediate(flush);
        },
      };
      const key = target.request.headers.find(([name]) => name.toLowerCase() === 'sec-websocket-key')?.[1] ?? '';
      const opening = setImmediate(() => {
        subscriber.next({ type: 'open', connection, proxy: null });
        player.start(key);
      });
      return () => {
        over = true;
        clearImmediate(opening);
        if (draining !== null) clearImmediate(draining);
        draining = null;
        handOver();
        player.clientGone();
      };
    });
  }
}

/** Driver (a): each case gets its own {@link ScriptedTransport}. */
export const virtualDriver: Driver = {
  profile: VIRTUAL,
  prepare(scenario, onScriptEnd) {
    const transport = new ScriptedTransport(scenario, onScriptEnd);
    return {
      url: 'ws://fuzz.test/case',
      transport,
      log: transport.log,
      openConnections: () => (transport.opened > 0 && transport.log.clientGoneAt === null ? 1 : 0),
      connections: () => transport.opened,
      dispose: () => undefined,
    };
  },
};
