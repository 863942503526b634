/**
 * Marble helpers: a TestScheduler that compares with jest's toEqual, and the
 * one-letter names lomond's event lifecycles are written with.
 */
import { map, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { WebSocketEvent } from '../../lib/events/events.js';

/** A TestScheduler asserting with `toEqual`. */
export const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Event name → marble letter. */
export const NAMES = {
  a: 'connecting',
  b: 'connected',
  f: 'connect_fail',
  j: 'rejected',
  r: 'ready',
  t: 'text',
  y: 'binary',
  i: 'ping',
  o: 'pong',
  p: 'poll',
  g: 'closing',
  c: 'closed',
  d: 'disconnected',
  e: 'protocol_error',
  u: 'unresponsive',
  k: 'back_off',
} as const;

/** Maps events to their names, for `expectObservable(...).toBe(marbles, NAMES)`. */
export const names = (events$: Observable<WebSocketEvent>): Observable<string> => events$.pipe(map((event) => event.name));
