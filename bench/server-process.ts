/** Starts bench/server.ts in its own process and resolves with its base URL. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface BenchServer {
  readonly url: string;
  stop(): void;
}

export function startBenchServer(): Promise<BenchServer> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'server.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdout!.once('data', (chunk: Buffer) => {
      const match = /PORT (\d+)/.exec(chunk.toString());
      if (!match) return reject(new Error(`bench server said ${chunk.toString()}`));
      resolve({ url: `ws://127.0.0.1:${match[1]}`, stop: () => child.stdin!.end() });
    });
    child.once('error', reject);
  });
}
