/**
 * Real X.509 certificates for unit tests, made with openssl at test time (no key material is
 * committed): self-signed P-256 certificates whose subject carries the NodeOU (admin or client),
 * with their keys when a test signs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let directory: string | undefined;
const cache = new Map<string, { certPem: string; keyPem: string }>();

/** A self-signed certificate with `subject` and its key (PKCS#8 PEM, as a user's wallet holds it). */
export function certificateAndKey(subject: string): { certPem: string; keyPem: string } {
  const cached = cache.get(subject);
  if (cached) return cached;
  directory ??= mkdtempSync(path.join(tmpdir(), 'il-certs-'));
  const file = path.join(directory, `${cache.size}.pem`);
  const keyFile = path.join(directory, `${cache.size}.key`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', keyFile, '-out', file, '-days', '1', '-subj', subject,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const pair = { certPem: readFileSync(file, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
  cache.set(subject, pair);
  return pair;
}

/** PEM of a self-signed certificate with `subject` (openssl form, e.g. `/C=US/O=org1/OU=admin/CN=Admin@org1`). */
export function certificatePem(subject: string): string {
  return certificateAndKey(subject).certPem;
}
