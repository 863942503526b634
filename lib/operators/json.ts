/**
 * json: text events → parsed values, where one bad message does not end the
 * stream. `filter(isText), map((e) => e.json)` errors the whole pipeline on
 * the first text that is not JSON (under `persist` too: `map` throws
 * downstream of it); `json()` skips that message instead and reports it to
 * `onInvalid`. Other events (ready, binary, poll…) pass no value.
 *
 * ```
 * events:  -r-t-t-b-t-|        t: '{"a":1}', '{oops', '[2]'   b: binary
 * json():  ---x-----y-|        x: { a: 1 }, y: [2]   ('{oops' → onInvalid(event, SyntaxError))
 * ```
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { Text, WebSocketEvent } from '../events/events.js';

/** Options of {@link json}. */
export interface JsonOptions {
  /** Called with each text event that is not JSON and the parser's error (default: skip it silently). */
  onInvalid?(event: Text, error: unknown): void;
}

/**
 * Maps each text message to `JSON.parse(text)`, skipping (and reporting) the ones that do not parse.
 *
 * Gist: `events$.pipe(json<Tick>())` instead of `filter(isText), map((e) => e.json)`, without the crash.
 *
 * @example
 * ```ts
 * import { connect$, persist, json } from 'lomond';
 *
 * connect$('wss://example.org/feed')
 *   .pipe(persist(), json<{ price: number }>({ onInvalid: (event) => console.warn('not JSON:', event.text) }))
 *   .subscribe((tick) => console.log(tick.price));
 * // 101.5, 101.7, … (a message "hello" logs `not JSON: hello` and the stream goes on)
 * ```
 *
 * @typeParam T - what the messages hold (not checked: a cast, as with `JSON.parse`)
 * @param options - `onInvalid`, called for each skipped message
 * @returns an operator from events to parsed values; errors, completion and unsubscription pass through
 * @throws TypeError when `onInvalid` is given and is not a function
 */
export function json<T = unknown>(options: JsonOptions = {}): OperatorFunction<WebSocketEvent, T> {
  if (options === null || typeof options !== 'object') throw new TypeError(`json options must be an object, got ${options === null ? 'null' : typeof options}`);
  const onInvalid = options.onInvalid;
  if (onInvalid !== undefined && typeof onInvalid !== 'function') throw new TypeError(`onInvalid must be a function, got ${typeof onInvalid}`);
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (event) => {
          if (event.name !== 'text') return;
          let value: T;
          try {
            value = JSON.parse(event.text) as T;
          } catch (error) {
            if (onInvalid === undefined) return;
            try {
              onInvalid(event, error);
            } catch (thrown) {
              // onInvalid's own exception is the application's: it errors the stream, as in any RxJS operator.
              subscriber.error(thrown);
            }
            return;
          }
          subscriber.next(value);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
