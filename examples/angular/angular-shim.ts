/**
 * A minimal stand-in for the few `@angular/core` and `@angular/common` APIs
 * the ticker example uses, so that the example type-checks and is tested
 * without Angular as a dependency.
 *
 * In a real app, delete this file and import the same names from Angular:
 *
 * ```ts
 * import { Injectable, InjectionToken, NgZone, PLATFORM_ID, inject } from '@angular/core';
 * import { isPlatformBrowser } from '@angular/common';
 * ```
 *
 * Only the behaviour the example relies on is imitated: a root injector
 * context for `inject()`, and an `NgZone` that tracks whether code runs
 * inside the Angular zone (the real one also patches async APIs; this one
 * cannot, so it only tracks the synchronous extent of `run` and
 * `runOutsideAngular`).
 */

/** Stand-in for Angular's `InjectionToken`: a typed key for a provided value. */
export class InjectionToken<T> {
  /** Only here to keep `T` in the type (Angular has the same phantom). */
  declare readonly _type: T;
  constructor(readonly description: string) {}
  toString(): string {
    return `InjectionToken ${this.description}`;
  }
}

/** Something `inject()` can look up: a token or a class. */
export type ProviderToken<T> = InjectionToken<T> | (abstract new (...args: never[]) => T);

/** Stand-in for Angular's value provider `{ provide, useValue }`. */
export interface ValueProvider {
  provide: ProviderToken<unknown>;
  useValue: unknown;
}

/** Stand-in for Angular's `Injector`: only `Injector.create({ providers })` with value providers. */
export class Injector {
  private constructor(private readonly values: Map<ProviderToken<unknown>, unknown>) {}

  /** Creates an injector holding `providers` (value providers only). */
  static create(options: { providers: ValueProvider[] }): Injector {
    return new Injector(new Map(options.providers.map((p) => [p.provide, p.useValue])));
  }

  /** The provided value; throws when there is none, like Angular's NullInjectorError. */
  get<T>(token: ProviderToken<T>): T {
    if (!this.values.has(token)) throw new Error(`NullInjectorError: no provider for ${String((token as { name?: string }).name ?? token)}`);
    return this.values.get(token) as T;
  }
}

let context: Injector | null = null;

/** Stand-in for Angular's `runInInjectionContext`: `inject()` works inside `fn`. */
export function runInInjectionContext<T>(injector: Injector, fn: () => T): T {
  const outer = context;
  context = injector;
  try {
    return fn();
  } finally {
    context = outer;
  }
}

/** Stand-in for Angular's `inject()`: only inside an injection context (a constructor or field initializer). */
export function inject<T>(token: ProviderToken<T>): T {
  if (context === null) throw new Error('inject() must be called from an injection context');
  return context.get(token);
}

/** Stand-in for `@Injectable({ providedIn: 'root' })`: a no-op class decorator here. */
export function Injectable(_options?: { providedIn?: 'root' | null }) {
  return <C extends abstract new (...args: never[]) => unknown>(_target: C, _context: ClassDecoratorContext<C>): void => {};
}

/** Stand-in for Angular's `PLATFORM_ID`: `'browser'` or `'server'`. */
export const PLATFORM_ID = new InjectionToken<object | string>('PLATFORM_ID');

/** Stand-in for `isPlatformBrowser` from `@angular/common`. */
export function isPlatformBrowser(platformId: object | string): boolean {
  return platformId === 'browser';
}

let insideAngular = true;

/** Stand-in for Angular's `NgZone`: tracks whether code runs inside the Angular zone. */
export class NgZone {
  /** True while running inside the Angular zone (app code starts inside it). */
  static isInAngularZone(): boolean {
    return insideAngular;
  }

  /** Runs `fn` inside the Angular zone (change detection follows). */
  run<T>(fn: () => T): T {
    return this.within(true, fn);
  }

  /** Runs `fn` outside the Angular zone (its async work triggers no change detection). */
  runOutsideAngular<T>(fn: () => T): T {
    return this.within(false, fn);
  }

  private within<T>(inside: boolean, fn: () => T): T {
    const outer = insideAngular;
    insideAngular = inside;
    try {
      return fn();
    } finally {
      insideAngular = outer;
    }
  }
}
