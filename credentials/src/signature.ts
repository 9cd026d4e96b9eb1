/**
 * The Data Integrity proof check: @digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite, the
 * injected document loader and clock.
 */
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { verifyCredential } from '@digitalbazaar/vc';
import type { DocumentLoader } from './document-loader.js';
import { causeDetails, describeError } from './errors.js';
import type { JsonObject } from './json.js';
import { refuse, type CredentialRefusal } from './result.js';

/** Status is not judged here: the Bitstring Status List check runs after the proof (status-list.ts). */
async function deferredStatus(): Promise<{ verified: boolean }> {
  return { verified: true };
}

/** The only cryptosuite the gateway accepts. */
export const SUPPORTED_CRYPTOSUITE = cryptosuite.name;

function failureDetails(error: unknown): JsonObject {
  return { reason: describeError(error), ...causeDetails(error) };
}

/**
 * Verifies the credential's proof; undefined when it verifies. The library's own validity-period
 * check is switched off (an infinite clock skew) because the gateway judges the validity period in
 * a later step with codes of its own; everything else the library checks before the proof (shape
 * of the credential, `credentialStatus` without a status checker) is INVALID_CREDENTIAL_SCHEMA, and
 * a proof that does not verify (altered document, wrong key, key not controlled by the issuer,
 * unknown verification method) is INVALID_SIGNATURE.
 */
export async function verifyProof(credential: JsonObject, documentLoader: DocumentLoader, now: Date): Promise<CredentialRefusal | undefined> {
  const suite = new DataIntegrityProof({ cryptosuite });
  // `credentialStatus` is checked after the proof, by status-list.ts (with codes of its own)
  const result = await verifyCredential({ credential, suite, documentLoader, now, maxClockSkew: Number.POSITIVE_INFINITY, checkStatus: deferredStatus });
  if (result.verified) return undefined;
  const entries = result.results ?? [];
  const error = entries.find((entry) => entry.error !== undefined)?.error ?? result.error;
  if (entries.some((entry) => entry.credential !== undefined)) {
    return refuse('INVALID_CREDENTIAL_SCHEMA', `the credential is not a valid Verifiable Credential: ${describeError(error)}`, failureDetails(error));
  }
  return refuse(
    'INVALID_SIGNATURE',
    `the credential's ${SUPPORTED_CRYPTOSUITE} proof does not verify against its issuer's key (${describeError(error)}); it was altered or not signed by its issuer`,
    failureDetails(error),
  );
}
