/**
 * Real X.509 certificates for unit tests, made with openssl at test time (no key material is
 * committed): self-signed P-256 certificates whose subject carries the NodeOU (admin or client).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let directory: string | undefined;
const cache = new Map<string, string>();

/** PEM of a self-signed certificate with `subject` (openssl form, e.g. `/C=US/O=org1/OU=admin/CN=Admin@org1`). */
export function certificatePem(subject: string): string {
  const cached = cache.get(subject);
  if (cached) return cached;
  directory ??= mkdtempSync(path.join(tmpdir(), 'il-certs-'));
  const file = path.join(directory, `${cache.size}.pem`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', path.join(directory, `${cache.size}.key`), '-out', file, '-days', '1', '-subj', subject,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const pem = readFileSync(file, 'utf8');
  cache.set(subject, pem);
  return pem;
}
