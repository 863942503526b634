/**
 * TLS fixtures made at test time with the `openssl` CLI: a self-signed CA and
 * a server certificate it signed for CN=localhost with subjectAltName
 * IP:127.0.0.1 and DNS:localhost. Nothing is stored in the repository.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM strings of a test PKI. */
export interface TlsFixtures {
  /** The CA certificate clients must trust (`tls.ca`). */
  readonly ca: string;
  /** The server certificate (CN=localhost, SAN IP:127.0.0.1, DNS:localhost). */
  readonly cert: string;
  /** The server's private key. */
  readonly key: string;
}

let cached: TlsFixtures | null = null;

/** Generates (once per test file) a CA and a server certificate in a temp dir, which it then removes. */
export function tlsFixtures(): TlsFixtures {
  if (cached !== null) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'lomond-tls-'));
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    openssl('req', '-x509', ...ecKey, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=lomond test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    openssl('req', ...ecKey, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost');
    writeFileSync(
      file('server.ext'),
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n',
    );
    openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial',
      '-out', file('server.pem'), '-days', '2', '-extfile', file('server.ext'));
    cached = {
      ca: readFileSync(file('ca.pem'), 'utf8'),
      cert: readFileSync(file('server.pem'), 'utf8'),
      key: readFileSync(file('server.key'), 'utf8'),
    };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
