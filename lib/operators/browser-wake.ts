/**
 * browserWake$: the moments a browser tab gets its network back — the window's
 * `online` event, and the document becoming visible again (after sleep, or
 * when the user comes back to the tab) — for `persist({ retryNow$ })`, so a
 * reconnect happens then instead of at the end of a long back-off. Where there
 * is no window (Node, server-side rendering, a worker) it is EMPTY, so the same
 * code runs everywhere. The listeners are added at subscription and removed at
 * unsubscription; nothing is read at import.
 *
 * ```
 * window:    ---online--------------------online--
 * document:  ---------hidden----visible-----------
 * output:    ---o-----------------v-------o-------   (o = 'online', v = 'visible')
 * ```
 */
import { EMPTY, Observable } from 'rxjs';

/** What woke the page up. */
export type BrowserWake = 'online' | 'visible';

/** The slice of `window` (and its `document`) that browserWake$ uses. */
interface WakeWindow {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
  readonly document?: WakeWindow & { readonly visibilityState?: string };
}

/**
 * Emits `'online'` when the browser goes back online and `'visible'` when the page becomes visible again.
 *
 * Gist: pass it as persist's `retryNow$` to reconnect at once after a network change or a sleep.
 *
 * @example
 * ```ts
 * import { connect$, persist, browserWake$ } from 'lomond/browser';
 *
 * connect$('wss://example.org/feed', { heartbeat: { interval: 15_000, timeout: 5_000, message: 'ping' } })
 *   .pipe(persist({ retryNow$: browserWake$() }))
 *   .subscribe(…);
 * // the laptop wakes up: the heartbeat finds the old connection dead, and the wait before the next attempt ends at 'visible'
 * ```
 *
 * @returns a hot-by-nature, never-completing Observable of wake reasons; EMPTY where `globalThis.window` is missing
 */
export function browserWake$(): Observable<BrowserWake> {
  return new Observable<BrowserWake>((subscriber) => {
    const win = (globalThis as { window?: WakeWindow }).window;
    if (win === undefined || win === null || typeof win.addEventListener !== 'function') return EMPTY.subscribe(subscriber);
    const doc = win.document;
    const online = (): void => subscriber.next('online');
    const visible = (): void => {
      if (doc?.visibilityState === 'visible') subscriber.next('visible');
    };
    win.addEventListener('online', online);
    doc?.addEventListener('visibilitychange', visible);
    return () => {
      win.removeEventListener('online', online);
      doc?.removeEventListener('visibilitychange', visible);
    };
  });
}
