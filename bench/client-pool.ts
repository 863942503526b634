/**
 * Client processes: one per contender (bench/client-worker.ts, bundled by
 * esbuild into plain JavaScript without source maps, see {@link workerEntry}),
 * started with the contender's environment, the trust of the bench's TLS
 * certificate (NODE_EXTRA_CA_CERTS) and --experimental-websocket where the
 * runner has it (Node 20). Requests go over the IPC channel; a request that
 * takes too long kills the process (a contender that lost messages would
 * wait forever) and the next request starts a fresh one.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { ContenderSpec } from './contenders/index.js';
import type { Reply, Request } from './protocol.js';

let entry: string | null = null;

/**
 * The client worker as one CommonJS file, built once per bench run. Not under tsx: tsx turns on Node's source
 * maps, and with them on V8 runs a full mark-compact every ~10 ms while lomond receives large messages (20–90
 * times more often than without; ws is not affected; bench/RESULTS.md notes it), which is not how
 * applications run in production. The file sits two folders below the project, as bench/contenders/ does, so
 * that the contenders' `require('../../dist/cjs/index.js')` still finds the built package; every package is
 * left external (node_modules as installed).
 */
function workerEntry(): string {
  if (entry !== null) return entry;
  const out = join(__dirname, '..', '.tmp', 'bench', 'client-worker.cjs');
  buildSync({ entryPoints: [join(__dirname, 'client-worker.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', packages: 'external', external: ['*/dist/cjs/index.js'], sourcemap: false, logLevel: 'warning' });
  return (entry = out);
}

/** How the client processes are started. */
export interface PoolOptions {
  /** A CA file the clients trust (the wss row's certificate), or null. */
  readonly ca: string | null;
  /** Extra node flags for every client process (e.g. --cpu-prof…), or per contender. */
  readonly flags?: (spec: ContenderSpec) => string[];
}

/** One contender's client process. */
export class ClientProcess {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  constructor(
    readonly spec: ContenderSpec,
    private readonly options: PoolOptions,
    private readonly extraFlags: string[] = [],
  ) {}

  private start(): Promise<void> {
    const native = process.execArgv.includes('--experimental-websocket') ? ['--experimental-websocket'] : [];
    const fromEnv = (process.env.BENCH_CLIENT_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
    const execArgv = [...native, ...fromEnv, ...this.extraFlags, ...(this.options.flags?.(this.spec) ?? [])];
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.spec.env };
    if (this.options.ca) env.NODE_EXTRA_CA_CERTS = this.options.ca;
    const child = fork(workerEntry(), [this.spec.name], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child = child;
    child.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(reply.error));
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) {
        this.child = null;
        this.ready = null;
      }
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${this.spec.name}'s client process exited (${signal ?? code})`));
      this.pending.clear();
    });
    return new Promise((resolve, reject) => {
      this.pending.set(0, { resolve: () => resolve(), reject });
    });
  }

  /** Sends a request; rejects on a failed sample or after `timeoutMs` (the process is then killed). */
  async request<T>(request: Request, timeoutMs: number): Promise<T> {
    this.ready ??= this.start();
    await this.ready;
    const child = this.child!;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.kill();
        reject(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s (messages lost?)`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.send({ id, request });
    });
  }

  /** Asks the process to exit and waits for it (a --cpu-prof profile is then written). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await this.request({ op: 'exit' }, 10_000).catch(() => this.kill());
    await exited;
  }

  kill(): void {
    const child = this.child;
    this.child = null;
    this.ready = null;
    child?.kill('SIGKILL');
  }
}
