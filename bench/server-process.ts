/** Starts bench/server.ts in its own process (TCP, and TLS when given a certificate) and resolves with its base URLs. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { BenchCertificate } from './tls-cert.js';

/** The running server: `ws://` and (with a certificate) `wss://` base URLs, and the address of its stats page. */
export interface BenchServer {
  readonly url: string;
  readonly tlsUrl: string | null;
  stop(): void;
}

export function startBenchServer(certificate: BenchCertificate | null): Promise<BenchServer> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', join(__dirname, 'server.ts'), ...(certificate ? [certificate.key, certificate.cert] : [])];
    const child: ChildProcess = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdout!.once('data', (chunk: Buffer) => {
      const match = /PORT (\d+) TLSPORT (\d+)/.exec(chunk.toString());
      if (!match) return reject(new Error(`bench server said ${chunk.toString()}`));
      resolve({
        url: `ws://127.0.0.1:${match[1]}`,
        tlsUrl: match[2] !== '0' ? `wss://127.0.0.1:${match[2]}` : null,
        stop: () => child.stdin!.end(),
      });
    });
    child.once('error', reject);
  });
}
