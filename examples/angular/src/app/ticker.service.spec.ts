/**
 * TickerService and the App component, marble-tested with TestBed and
 * lomond/testing: the scripted server is installed as the global WebSocket,
 * so the browser build runs exactly as in the app, in virtual time.
 */
import { PLATFORM_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createTestServer, installTestWebSocket, type TestServer } from 'lomond/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './app';
import { TICKER_CONFIG, TickerService, type Tick, type TickerConfig } from './ticker.service';

const BTC = { symbol: 'BTC', price: 100 };
const ETH = { symbol: 'ETH', price: 10 };

let scheduler: TestScheduler;
let server: TestServer;
let restore: () => void;

beforeEach(() => {
  scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  server = createTestServer(scheduler);
  restore = installTestWebSocket(server);
});

afterEach(() => restore());

function configure(platform = 'browser', config: Partial<TickerConfig> = {}): void {
  TestBed.configureTestingModule({
    providers: [
      { provide: PLATFORM_ID, useValue: platform },
      {
        provide: TICKER_CONFIG,
        useValue: { url: 'ws://ticker.test/feed', gracePeriod: 1000, connect: { scheduler, poll: 60_000 }, persist: { minWait: 100, maxWait: 100 }, ...config },
      },
    ],
  });
}

function sendTick(at: number, tick: Tick | string): void {
  server.at(at, () => server.sendText(typeof tick === 'string' ? tick : JSON.stringify(tick)));
}

/** Subscribes `ticks$` from `from` to `to` virtual ms. */
function subscribeBetween(ticks$: Observable<Tick>, from: number, to: number, into: Tick[] = []): void {
  scheduler.schedule(() => {
    const subscription = ticks$.subscribe((tick) => into.push(tick));
    scheduler.schedule(() => subscription.unsubscribe(), to - from);
  }, from);
}

describe('TickerService', () => {
  it('emits the parsed JSON of each text message, and skips one that is not JSON', () => {
    configure();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    scheduler.run(({ expectObservable }) => {
      const service = TestBed.inject(TickerService);
      sendTick(10, BTC);
      sendTick(15, '<html>maintenance</html>');
      sendTick(20, ETH);
      expectObservable(service.ticker$, '^ 30ms !').toBe('10ms a 9ms b', { a: BTC, b: ETH });
    });
    expect(warn).toHaveBeenCalledWith('ticker: not JSON, skipped:', '<html>maintenance</html>');
    warn.mockRestore();
  });

  it('shares one connection among all subscribers', () => {
    configure();
    scheduler.run(({ expectObservable }) => {
      const service = TestBed.inject(TickerService);
      sendTick(10, BTC);
      expectObservable(service.ticker$, '^ 30ms !').toBe('10ms a', { a: BTC });
      expectObservable(service.ticker$, '5ms ^ 25ms !').toBe('10ms a', { a: BTC });
    });
    expect(server.connections).toHaveLength(1);
  });

  it('keeps the connection for gracePeriod after the last subscriber left, and closes it then', () => {
    configure();
    const late: Tick[] = [];
    scheduler.run(() => {
      const service = TestBed.inject(TickerService);
      subscribeBetween(service.ticker$, 0, 100);
      subscribeBetween(service.ticker$, 900, 1500, late);
      sendTick(1000, ETH);
    });
    expect(server.connections).toHaveLength(1);
    expect(late).toEqual([ETH]);
    // Closed 1000 ms after the last subscriber left at 1500; the DOM forbids 1001, so 1000 "going away".
    const close = server.current.frames.find((frame) => frame.opcode === 0x8);
    expect([close?.time, server.current.clientCloseCode]).toEqual([2500, 1000]);
  });

  it('reconnects with persist when the server drops the connection', () => {
    configure();
    scheduler.run(({ expectObservable }) => {
      const service = TestBed.inject(TickerService);
      sendTick(10, BTC);
      server.at(50, () => server.drop());
      sendTick(200, ETH);
      expectObservable(service.ticker$, '^ 300ms !').toBe('10ms a 189ms b', { a: BTC, b: ETH });
    });
    expect(server.connections.map((c) => c.state)).toEqual(['closed', 'closed']);
  });

  it('does not connect during server-side rendering', () => {
    configure('server');
    scheduler.run(({ expectObservable }) => {
      expectObservable(TestBed.inject(TickerService).ticker$).toBe('|');
    });
    expect(server.connections).toHaveLength(0);
  });
});

describe('App', () => {
  it('renders the latest tick', async () => {
    configure();
    let fixture!: ReturnType<typeof TestBed.createComponent<App>>;
    const texts: string[] = [];
    scheduler.run(() => {
      fixture = TestBed.createComponent(App);
      fixture.detectChanges();
      texts.push(fixture.nativeElement.querySelector('.tick').textContent.trim());
      sendTick(10, BTC);
      scheduler.schedule(() => {
        fixture.detectChanges();
        texts.push(fixture.nativeElement.querySelector('.tick').textContent.trim());
        fixture.destroy();
      }, 20);
    });
    expect(texts).toEqual(['waiting for the feed…', 'BTC 100']);
  });
});
