/**
 * A process-wide limit on concurrent zlib jobs. Every async zlib operation
 * runs on libuv's small thread pool (4 threads by default) and holds its
 * buffers until it finishes; without a limit, thousands of connections
 * compressing at once would queue thousands of jobs and their memory inside
 * the pool. Jobs beyond `concurrency` wait here, in FIFO order, holding only
 * a closure. (ws has the same idea: its "zlib concurrency limiter".)
 *
 * A job receives a `release` function and must call it once when done;
 * the handle returned by {@link ZlibLimiter.run} lets a closing connection
 * drop a waiting job or free the slot of a running one (release is idempotent).
 */

/** A job: do the work, then call `release` exactly once (extra calls are ignored). */
export type ZlibJob = (release: () => void) => void;

/** What {@link ZlibLimiter.run} returns: cancels a waiting job, or releases a running one's slot. */
export interface ZlibTicket {
  /** Drops the job if it has not started; frees its slot if it is running. Idempotent. */
  cancel(): void;
}

interface Entry {
  job: ZlibJob;
  state: 'waiting' | 'running' | 'done';
}

/** Default number of concurrent zlib jobs (ws's default too). */
export const DEFAULT_ZLIB_CONCURRENCY = 10;

/** A FIFO job queue that runs at most `concurrency` jobs at a time. */
export class ZlibLimiter {
  private queue: Entry[] = [];
  private head = 0;
  private active = 0;
  private waitingCount = 0;
  private starting = false;

  /**
   * @param concurrency - most jobs running at once (≥ 1)
   * @throws RangeError when `concurrency` is not a positive integer
   */
  constructor(readonly concurrency: number = DEFAULT_ZLIB_CONCURRENCY) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`invalid zlib concurrency ${concurrency}`);
  }

  /** Jobs currently running. */
  get running(): number {
    return this.active;
  }

  /** Jobs waiting for a slot. */
  get pending(): number {
    return this.waitingCount;
  }

  /**
   * Runs `job` now if a slot is free, else when one frees up.
   *
   * @param job - the work; it must call `release` when finished
   * @returns a ticket to cancel the job or free its slot
   */
  run(job: ZlibJob): ZlibTicket {
    const entry: Entry = { job, state: 'waiting' };
    this.queue.push(entry);
    this.waitingCount++;
    this.startJobs();
    return {
      cancel: () => {
        if (entry.state === 'waiting') {
          entry.state = 'done'; // skipped when it reaches the head of the queue
          this.waitingCount--;
        } else {
          this.release(entry);
        }
      },
    };
  }

  /** Starts waiting jobs while slots are free; a loop, not recursion, when jobs release synchronously. */
  private startJobs(): void {
    if (this.starting) return;
    this.starting = true;
    try {
      while (this.active < this.concurrency && this.head < this.queue.length) {
        const entry = this.queue[this.head++]!;
        if (entry.state !== 'waiting') continue;
        entry.state = 'running';
        this.waitingCount--;
        this.active++;
        entry.job(() => this.release(entry));
      }
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      } else if (this.head > 1024) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
    } finally {
      this.starting = false;
    }
  }

  /** Frees a running entry's slot (once) and starts the next job. */
  private release(entry: Entry): void {
    if (entry.state !== 'running') return;
    entry.state = 'done';
    this.active--;
    this.startJobs();
  }
}

/** The limiter shared by every connection of the process. */
export const zlibLimiter = new ZlibLimiter();
