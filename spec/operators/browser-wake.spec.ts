/** @test {browserWake$} — window `online` and document visible, EMPTY without a window. */
import { take, toArray } from 'rxjs';
import { browserWake$ } from '../../lib/operators/browser-wake.js';

/** A window with a document, both EventTargets, as far as browserWake$ looks. */
function fakeWindow(): { window: EventTarget & { document: EventTarget & { visibilityState: string } }; listeners: () => number } {
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  const window = Object.assign(new EventTarget(), { document });
  let count = 0;
  for (const target of [window, document]) {
    const add = target.addEventListener.bind(target);
    const remove = target.removeEventListener.bind(target);
    target.addEventListener = (...args: Parameters<EventTarget['addEventListener']>) => {
      count++;
      add(...args);
    };
    target.removeEventListener = (...args: Parameters<EventTarget['removeEventListener']>) => {
      count--;
      remove(...args);
    };
  }
  return { window, listeners: () => count };
}

const global = globalThis as { window?: unknown };

afterEach(() => {
  delete global.window;
});

describe('browserWake$', () => {
  it('emits online for the window event and visible when the document becomes visible, not when it hides', () => {
    const { window } = fakeWindow();
    global.window = window;
    const seen: string[] = [];
    const subscription = browserWake$().subscribe((reason) => seen.push(reason));
    window.dispatchEvent(new Event('online'));
    window.document.visibilityState = 'hidden';
    window.document.dispatchEvent(new Event('visibilitychange'));
    window.document.visibilityState = 'visible';
    window.document.dispatchEvent(new Event('visibilitychange'));
    subscription.unsubscribe();
    expect(seen).toEqual(['online', 'visible']);
  });

  it('adds its listeners at subscription and removes them all at unsubscription', () => {
    const { window, listeners } = fakeWindow();
    global.window = window;
    const wake$ = browserWake$();
    expect(listeners()).toBe(0);
    const subscription = wake$.subscribe();
    expect(listeners()).toBe(2);
    subscription.unsubscribe();
    expect(listeners()).toBe(0);
    const seen: string[] = [];
    wake$.pipe(take(1), toArray()).subscribe((all) => seen.push(...all));
    window.dispatchEvent(new Event('online'));
    expect([seen, listeners()]).toEqual([['online'], 0]);
  });

  it('is EMPTY without a window (Node, server-side rendering), decided at subscription', () => {
    const completed: string[] = [];
    const wake$ = browserWake$();
    wake$.subscribe({ next: () => completed.push('next'), complete: () => completed.push('complete') });
    global.window = fakeWindow().window;
    const live = wake$.subscribe({ complete: () => completed.push('complete again') });
    expect([completed, live.closed]).toEqual([['complete'], false]);
    live.unsubscribe();
  });
});
