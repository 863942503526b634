/**
 * TickerService: an Angular root service that shares one live ticker feed
 * among all the components that show it.
 *
 * - `connect$` + `persist`: one WebSocket that reconnects with backoff;
 * - `filter(isText)` + `map(e => e.json)`: the parsed messages;
 * - `share({ resetOnRefCountZero: () => timer(gracePeriod) })`: the first
 *   subscriber opens the connection, later ones join it, and it closes
 *   `gracePeriod` ms after the last one left (so navigating between two pages
 *   that both show prices does not reconnect);
 * - the socket and its timers run outside `NgZone`, so polls and messages do
 *   not trigger change detection; each tick re-enters the zone for the
 *   subscriber, so `async` pipes update as usual;
 * - during server-side rendering `ticker$` is `EMPTY`: no connection is made
 *   on the server.
 *
 * In a real app, import from Angular and lomond instead of the local files:
 *
 * ```ts
 * import { Injectable, InjectionToken, NgZone, PLATFORM_ID, inject } from '@angular/core';
 * import { isPlatformBrowser } from '@angular/common';
 * import { connect$, persist, isText, type ConnectOptions, type PersistOptions } from 'lomond';
 * ```
 *
 * Bundlers resolve `lomond` to its browser build (the `browser` export
 * condition), over the native WebSocket. Unit tests under jest's node
 * environment get the Node build, which accepts the `transport` of
 * `lomond/testing` (see spec/examples/angular-ticker.spec.ts); under
 * jest-environment-jsdom, set `testEnvironmentOptions: { customExportConditions: ['node', 'require'] }`.
 *
 * A message that is not JSON makes `e.json` throw: the error reaches the
 * current subscribers and the next subscription starts a fresh connection.
 */
import { EMPTY, Observable, asyncScheduler, filter, map, share, timer } from 'rxjs';
import { connect$, isText, persist, type ConnectOptions, type PersistOptions } from '../../lib/index.js';
import { Injectable, InjectionToken, NgZone, PLATFORM_ID, inject, isPlatformBrowser } from './angular-shim.js';

/** One price update, as the feed sends it. */
export interface Tick {
  readonly symbol: string;
  readonly price: number;
}

/** Where the feed is and how to keep it. */
export interface TickerConfig {
  /** The feed's ws:/wss: URL. */
  readonly url: string;
  /** How long (ms) the connection outlives its last subscriber (default 10000). */
  readonly gracePeriod?: number;
  /** Options of `connect$` (tests pass `transport` and `scheduler` here). */
  readonly connect?: ConnectOptions;
  /** Options of `persist` (its scheduler defaults to `connect.scheduler`). */
  readonly persist?: PersistOptions;
}

/** Provide it with `{ provide: TICKER_CONFIG, useValue: { url: 'wss://…' } }`. */
export const TICKER_CONFIG = new InjectionToken<TickerConfig>('TICKER_CONFIG');

/** Subscribes to `source` outside the Angular zone. */
function subscribeOutside<T>(zone: NgZone) {
  return (source: Observable<T>): Observable<T> => new Observable<T>((subscriber) => zone.runOutsideAngular(() => source.subscribe(subscriber)));
}

/** Delivers every notification inside the Angular zone. */
function deliverInside<T>(zone: NgZone) {
  return (source: Observable<T>): Observable<T> =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (value) => zone.run(() => subscriber.next(value)),
        error: (error: unknown) => zone.run(() => subscriber.error(error)),
        complete: () => zone.run(() => subscriber.complete()),
      }),
    );
}

/** The shared ticker feed; `ticker$` is safe to subscribe from any number of components. */
@Injectable({ providedIn: 'root' })
export class TickerService {
  private readonly zone = inject(NgZone);
  private readonly config = inject(TICKER_CONFIG);
  private readonly inBrowser = isPlatformBrowser(inject(PLATFORM_ID));

  /** Parsed ticks from the feed; EMPTY during server-side rendering. */
  readonly ticker$: Observable<Tick> = this.inBrowser ? this.feed() : EMPTY;

  private feed(): Observable<Tick> {
    const { url, gracePeriod = 10_000, connect = {}, persist: persistOptions = {} } = this.config;
    const scheduler = connect.scheduler ?? asyncScheduler;
    return connect$(url, connect).pipe(
      persist({ scheduler, ...persistOptions }),
      filter(isText),
      map((event) => event.json as Tick),
      subscribeOutside(this.zone),
      share({ resetOnRefCountZero: () => timer(gracePeriod, scheduler) }),
      deliverInside(this.zone),
    );
  }
}
