import { NEVER, Subject } from 'rxjs';
import { WebSocketUnavailableError } from '../../lib/core/errors.js';
import { SingleLive } from '../../lib/session/single-live.js';

describe('SingleLive', () => {
  it('refuses a second live subscription and frees the slot on unsubscribe, complete and error', () => {
    const single = new SingleLive();
    const first = single.guard(NEVER).subscribe();
    let error: unknown;
    single.guard(NEVER).subscribe({ error: (e) => (error = e) });
    expect(error).toBeInstanceOf(WebSocketUnavailableError);
    expect((error as Error).message).toBe('websocket already has a live connection');
    first.unsubscribe();

    const completing = new Subject<number>();
    const seen: number[] = [];
    single.guard(completing).subscribe((v) => seen.push(v));
    completing.next(1);
    completing.complete();
    expect(seen).toEqual([1]);

    const failing = new Subject<number>();
    single.guard(failing).subscribe({ error: () => undefined });
    failing.error(new Error('boom'));

    let again: unknown = 'none';
    single.guard(NEVER).subscribe({ error: (e) => (again = e) }).unsubscribe();
    expect(again).toBe('none');
  });
});
