/**
 * The Angular ticker example (examples/angular/ticker.service.ts), marble
 * tested with lomond/testing: sharing, the grace period, reconnects, SSR and
 * the zone boundaries.
 */
import type { TestScheduler } from 'rxjs/testing';
import type { Observable } from 'rxjs';
import { Opcode } from '../../lib/core/opcode.js';
import { createTestServer, type TestServer } from '../../lib/testing.js';
import { Injector, NgZone, PLATFORM_ID, runInInjectionContext } from '../../examples/angular/angular-shim.js';
import { TICKER_CONFIG, TickerService, type Tick, type TickerConfig } from '../../examples/angular/ticker.service.js';
import { newScheduler } from '../helpers/marbles.js';

const BTC = { symbol: 'BTC', price: 100 };
const ETH = { symbol: 'ETH', price: 10 };

function createService(scheduler: TestScheduler, server: TestServer, platform = 'browser', config: Partial<TickerConfig> = {}): TickerService {
  const injector = Injector.create({
    providers: [
      { provide: NgZone, useValue: new NgZone() },
      { provide: PLATFORM_ID, useValue: platform },
      {
        provide: TICKER_CONFIG,
        useValue: {
          url: 'ws://ticker.test/feed',
          gracePeriod: 1000,
          connect: { transport: server.transport, scheduler, pingRate: 0, poll: 60_000 },
          persist: { minWait: 100, maxWait: 100 },
          ...config,
        },
      },
    ],
  });
  return runInInjectionContext(injector, () => new TickerService());
}

function sendTick(server: TestServer, at: number, tick: Tick): void {
  server.at(at, () => server.sendText(JSON.stringify(tick)));
}

/** Subscribes `ticks$` from `from` to `to` virtual ms. */
function subscribeBetween(scheduler: TestScheduler, ticks$: Observable<Tick>, from: number, to: number, into: Tick[] = []): void {
  scheduler.schedule(() => {
    const subscription = ticks$.subscribe((tick) => into.push(tick));
    scheduler.schedule(() => subscription.unsubscribe(), to - from);
  }, from);
}

describe('TickerService', () => {
  it('emits the parsed JSON of each text message', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      const service = createService(scheduler, server);
      sendTick(server, 10, BTC);
      sendTick(server, 20, ETH);
      expectObservable(service.ticker$, '^ 30ms !').toBe('10ms a 9ms b', { a: BTC, b: ETH });
    });
  });

  it('shares one connection among all subscribers', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      server = createTestServer(scheduler);
      const service = createService(scheduler, server);
      sendTick(server, 10, BTC);
      expectObservable(service.ticker$, '^ 30ms !').toBe('10ms a', { a: BTC });
      expectObservable(service.ticker$, '5ms ^ 25ms !').toBe('10ms a', { a: BTC });
    });
    expect(server.connections).toHaveLength(1);
  });

  it('keeps the connection for gracePeriod after the last subscriber left, and reuses it for a subscriber coming back in time', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    const late: Tick[] = [];
    scheduler.run(() => {
      server = createTestServer(scheduler);
      const service = createService(scheduler, server);
      subscribeBetween(scheduler, service.ticker$, 0, 100);
      subscribeBetween(scheduler, service.ticker$, 900, 1500, late);
      sendTick(server, 1000, ETH);
    });
    expect(server.connections).toHaveLength(1);
    expect(late).toEqual([ETH]);
  });

  it('closes the connection (1001) gracePeriod after the last subscriber left', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(() => {
      server = createTestServer(scheduler);
      const service = createService(scheduler, server);
      subscribeBetween(scheduler, service.ticker$, 0, 100);
    });
    const close = server.current.frames.find((frame) => frame.opcode === Opcode.CLOSE);
    expect([close?.time, server.current.clientCloseCode]).toEqual([1100, 1001]);
  });

  it('reconnects with persist when the server drops the connection', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      server = createTestServer(scheduler);
      const service = createService(scheduler, server);
      sendTick(server, 10, BTC);
      server.at(50, () => server.drop());
      sendTick(server, 200, ETH);
      expectObservable(service.ticker$, '^ 300ms !').toBe('10ms a 189ms b', { a: BTC, b: ETH });
    });
    expect(server.connections.map((c) => c.state)).toEqual(['closed', 'closed']);
  });

  it('does not connect during server-side rendering', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      server = createTestServer(scheduler);
      const service = createService(scheduler, server, 'server');
      expectObservable(service.ticker$).toBe('|');
    });
    expect(server.connections).toHaveLength(0);
  });

  it('opens the socket outside the Angular zone and delivers ticks inside it', () => {
    const scheduler = newScheduler();
    const zones: string[] = [];
    scheduler.run(() => {
      const server = createTestServer(scheduler);
      const transport = {
        open: (target: Parameters<TestServer['transport']['open']>[0]) => {
          zones.push(`open ${NgZone.isInAngularZone() ? 'inside' : 'outside'}`);
          return server.transport.open(target);
        },
      };
      const service = createService(scheduler, server, 'browser', {
        connect: { transport, scheduler, pingRate: 0, poll: 60_000 },
      });
      sendTick(server, 10, BTC);
      const subscription = service.ticker$.subscribe(() => zones.push(`tick ${NgZone.isInAngularZone() ? 'inside' : 'outside'}`));
      scheduler.schedule(() => subscription.unsubscribe(), 20);
    });
    expect(zones).toEqual(['open outside', 'tick inside']);
  });
});
