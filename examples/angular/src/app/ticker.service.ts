/**
 * TickerService: an Angular root service that shares one live ticker feed
 * among all the components that show it.
 *
 * - `connect$` + `persist`: one WebSocket that reconnects with backoff, at once
 *   when the browser comes back online or the tab becomes visible
 *   (`browserWake$()` as `retryNow$`);
 * - `json<Tick>()`: the parsed messages; one that is not JSON is skipped (and
 *   logged), where `map((e) => e.json)` would end the feed for every component;
 * - `share({ resetOnRefCountZero: () => timer(gracePeriod) })`: the first
 *   subscriber opens the connection, later ones join it, and it closes
 *   `gracePeriod` ms after the last one left (so navigating between two pages
 *   that both show prices does not reconnect);
 * - the socket and its timers run outside `NgZone` (with zone.js, polls and
 *   messages then trigger no change detection; zoneless apps, Angular 21's
 *   default, are unaffected) and each tick re-enters the zone;
 * - during server-side rendering `ticker$` is `EMPTY`: no connection is made
 *   on the server.
 *
 * It imports `lomond/browser`: the browser build, whose types offer only what
 * browsers support (a Node-only option such as `headers` is a compile error).
 * Unit tests drive it with lomond/testing's scripted server, installed as the
 * global `WebSocket` (see ticker.service.spec.ts).
 */
import { isPlatformBrowser } from '@angular/common';
import { Injectable, InjectionToken, NgZone, PLATFORM_ID, inject } from '@angular/core';
import { EMPTY, Observable, asyncScheduler, share, timer } from 'rxjs';
import { browserWake$, connect$, json, persist, type ConnectOptions, type PersistOptions } from 'lomond/browser';

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
  /** Options of `connect$` (tests pass their `scheduler` here). */
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
      persist({ scheduler, retryNow$: browserWake$(), ...persistOptions }),
      json<Tick>({ onInvalid: (event) => console.warn('ticker: not JSON, skipped:', event.text) }),
      subscribeOutside(this.zone),
      share({ resetOnRefCountZero: () => timer(gracePeriod, scheduler) }),
      deliverInside(this.zone),
    );
  }
}
