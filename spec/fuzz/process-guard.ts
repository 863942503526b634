/**
 * Process-level observation for the fuzz run: uncaught exceptions and
 * unhandled rejections, active handles and timers, and the heap after a
 * full GC.
 *
 * Jest gives each test file a copy of `process` whose listeners never fire,
 * and installs its own handlers on the real one; the guard reaches the real
 * process through `vm.runInThisContext`, sets jest's handlers aside while a
 * run lasts (so that a crash becomes a printable counterexample instead of a
 * failed test with no case attached) and puts them back afterwards. The GC
 * is exposed at run time (`v8.setFlagsFromString`), so no node flag is needed.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext, runInThisContext } from 'node:vm';

const realProcess = runInThisContext('process') as NodeJS.Process;

type Listener = (...args: unknown[]) => void;

/** Collects the process's uncaught errors while installed. */
export class ProcessGuard {
  /** Errors since the last {@link take}. */
  private errors: string[] = [];
  private saved: { exceptions: Listener[]; rejections: Listener[] } | null = null;
  /** Called at each error (the runner ends a crashed case at once instead of waiting for its timeouts). */
  onError: (() => void) | null = null;
  private readonly onException = (error: unknown): void => {
    this.errors.push(`uncaughtException: ${describeError(error)}`);
    this.onError?.();
  };
  private readonly onRejection = (reason: unknown): void => {
    this.errors.push(`unhandledRejection: ${describeError(reason)}`);
    this.onError?.();
  };

  /** Takes over uncaughtException and unhandledRejection. */
  install(): void {
    if (this.saved !== null) return;
    this.saved = {
      exceptions: realProcess.rawListeners('uncaughtException') as Listener[],
      rejections: realProcess.rawListeners('unhandledRejection') as Listener[],
    };
    realProcess.removeAllListeners('uncaughtException');
    realProcess.removeAllListeners('unhandledRejection');
    realProcess.on('uncaughtException', this.onException);
    realProcess.on('unhandledRejection', this.onRejection);
  }

  /** Gives the handlers back. */
  uninstall(): void {
    const saved = this.saved;
    if (saved === null) return;
    this.saved = null;
    realProcess.off('uncaughtException', this.onException);
    realProcess.off('unhandledRejection', this.onRejection);
    for (const listener of saved.exceptions) realProcess.on('uncaughtException', listener);
    for (const listener of saved.rejections) realProcess.on('unhandledRejection', listener);
  }

  /** The errors seen since the previous call. */
  take(): string[] {
    const errors = this.errors;
    this.errors = [];
    return errors;
  }
}

/** An error's class, message and the top of its stack. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error) && !(typeof error === 'object' && error !== null && 'stack' in error)) return String(error);
  const stack = String((error as Error).stack ?? '')
    .split('\n')
    .slice(0, 6)
    .join('\n    ');
  return stack || String(error);
}

/** Active resources by type (TCPSocketWrap, Timeout, Immediate…). */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of realProcess.getActiveResourcesInfo()) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

/** Resources in `now` beyond those in `before`, e.g. `['Timeout×1']`. */
export function extraResources(before: Map<string, number>, now: Map<string, number>): string[] {
  const extra: string[] = [];
  for (const [name, count] of now) if (count > (before.get(name) ?? 0)) extra.push(`${name}×${count - (before.get(name) ?? 0)}`);
  return extra;
}

let gc: (() => void) | null = null;

/** heapUsed after a full GC, bytes. */
export function heapAfterGc(): number {
  if (gc === null) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
  return realProcess.memoryUsage().heapUsed;
}
