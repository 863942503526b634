import { Observable } from 'rxjs';
import { WebSocketUnavailableError } from '../../lib/core/errors.js';
import { SingleLive } from '../../lib/session/single-live.js';

/** Subscribes a session that tries to take the slot; reports whether it did and the error it got. */
function tryEnter(single: SingleLive<string>): { entered: boolean; error: unknown } {
  let entered = false;
  let error: unknown;
  new Observable<never>((subscriber) => {
    entered = single.enter(subscriber);
  }).subscribe({ error: (e) => (error = e) });
  return { entered, error };
}

describe('SingleLive', () => {
  it('refuses a second live session and frees the slot when the live one releases it', () => {
    const single = new SingleLive<string>();
    expect(tryEnter(single)).toEqual({ entered: true, error: undefined });
    const second = tryEnter(single);
    expect(second.entered).toBe(false);
    expect(second.error).toBeInstanceOf(WebSocketUnavailableError);
    expect((second.error as Error).message).toBe('websocket already has a live connection');
    single.onRelease();
    expect(tryEnter(single)).toEqual({ entered: true, error: undefined });
  });

  it('remembers the latest connection, after the session ended too', () => {
    const single = new SingleLive<string>();
    expect(single.current).toBeNull();
    single.onConnection('first');
    single.onRelease();
    expect(single.current).toBe('first');
    single.onConnection('second');
    expect(single.current).toBe('second');
  });
});
