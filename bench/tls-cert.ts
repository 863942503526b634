/**
 * A throwaway certificate for the wss row, generated at bench time with
 * openssl (P-256, CN=localhost, subjectAltName IP:127.0.0.1 and
 * DNS:localhost, valid one day), in a fresh temporary folder. The clients
 * trust it through NODE_EXTRA_CA_CERTS (set in each client process), so that
 * every contender, Node's built-in WebSocket included, verifies it as it
 * would a real one.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Key and certificate files; `remove()` deletes the folder. */
export interface BenchCertificate {
  readonly key: string;
  readonly cert: string;
  remove(): void;
}

/** Generates the certificate, or returns null (and says why) when openssl is missing or fails: the wss row is then skipped. */
export function generateCertificate(): BenchCertificate | null {
  const dir = mkdtempSync(join(tmpdir(), 'lomond-bench-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    console.log(`  openssl could not make a certificate (${(error as Error).message.split('\n')[0]}): the wss row is skipped`);
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return { key, cert, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
