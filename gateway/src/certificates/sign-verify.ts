/**
 * Signing a retirement certificate with the organisation's certificate key, and verifying one
 * offline: its shape, then the credential checks every impact-ledger credential gets (static
 * contexts only, safe-mode JSON-LD, eddsa-rdfc-2022 proof by the issuer's did:key, validity).
 */
import { checkCredentialIntegrity, createStaticDocumentLoader, signCredential, type DocumentLoader, type JsonObject } from '@impact-ledger/credentials';
import { parseRetirementCertificate, type RetirementCertificate } from './certificate.js';
import type { CertificateKey } from './issuer-key.js';

/** Largest certificate accepted for verification, in bytes of JSON. */
export const MAX_CERTIFICATE_BYTES = 64 * 1024;

/**
 * Signs `unsigned` (from `retirementCertificate`). The proof's `created` is the retirement's
 * timestamp, so signing the same retirement again gives the same certificate, byte for byte.
 */
export async function signRetirementCertificate(unsigned: JsonObject, key: CertificateKey, documentLoader: DocumentLoader): Promise<RetirementCertificate> {
  const validFrom = unsigned.validFrom;
  if (typeof validFrom !== 'string') throw new TypeError('an unsigned certificate has a validFrom');
  const signed = await signCredential(unsigned, key.keyPair, { date: validFrom, documentLoader });
  const parsed = parseRetirementCertificate(signed);
  if ('violations' in parsed) throw new TypeError(`the signed certificate does not match its schema: ${parsed.violations.join('; ')}`);
  return parsed.certificate;
}

/** One failed check of a certificate. */
export interface CertificateFailure {
  /** `format` (not a retirement certificate), `issuer` (not the pinned issuer) or a credential refusal code (INVALID_SIGNATURE, ...). */
  readonly check: string;
  readonly message: string;
}

/** The outcome of verifying a certificate. */
export interface CertificateReport {
  readonly ok: boolean;
  readonly failures: CertificateFailure[];
  /** The certificate's issuer did:key ('' when unreadable). */
  readonly issuer: string;
  /** True when the issuer was one of the pinned issuers; false: only its own did:key vouches for it. */
  readonly pinned: boolean;
  /** The certificate when its shape is right (its facts are trustworthy only when `ok`). */
  readonly certificate?: RetirementCertificate;
}

/** Options of {@link verifyRetirementCertificate}. */
export interface CertificateVerifyOptions {
  /** did:key issuers to accept (an organisation's published `GET /v1/certificate-issuer`); without, the certificate's own issuer. */
  readonly issuers?: readonly string[];
  /** The clock validity is judged against (default: now). */
  readonly now?: Date;
  readonly documentLoader?: DocumentLoader;
}

function issuerIdOf(input: unknown): string {
  if (typeof input !== 'object' || input === null || !('issuer' in input)) return '';
  const issuer = input.issuer;
  if (typeof issuer === 'string') return issuer;
  if (typeof issuer === 'object' && issuer !== null && 'id' in issuer && typeof issuer.id === 'string') return issuer.id;
  return '';
}

/** Verifies a retirement certificate with no network. Never throws for a bad certificate. */
export async function verifyRetirementCertificate(input: unknown, options: CertificateVerifyOptions = {}): Promise<CertificateReport> {
  const failures: CertificateFailure[] = [];
  const issuer = issuerIdOf(input);
  const parsed = parseRetirementCertificate(input);
  if ('violations' in parsed) failures.push({ check: 'format', message: `not a retirement certificate: ${parsed.violations.join('; ')}` });
  const pinned = options.issuers !== undefined && options.issuers.includes(issuer);
  if (options.issuers !== undefined && !pinned) {
    failures.push({ check: 'issuer', message: `issued by ${issuer || 'no issuer'}, which is not one of the pinned issuers ${options.issuers.join(', ')}` });
  }
  const checked = await checkCredentialIntegrity(input, { trustedIssuers: [issuer] }, {
    now: options.now ?? new Date(), documentLoader: options.documentLoader ?? createStaticDocumentLoader(), maxBytes: MAX_CERTIFICATE_BYTES,
  });
  if (!checked.ok) failures.push({ check: checked.code, message: checked.message });
  return { ok: failures.length === 0, failures, issuer, pinned, ...('certificate' in parsed ? { certificate: parsed.certificate } : {}) };
}
