/**
 * W3C Bitstring Status List: when a credential carries `credentialStatus`, its status list
 * credentials are taken from a source the caller filled beforehand (the chaincode: the lists held
 * on the ledger under their ids; never fetched over the network), each list's proof and validity
 * are verified at a given time (eddsa-rdfc-2022, signed by the credential's own issuer), and the
 * credential's bit is read with @digitalbazaar/vc-bitstring-status-list. A set bit (revocation or
 * suspension) refuses the credential (CREDENTIAL_REVOKED); a list the source does not hold, or
 * one that does not verify or is not the issuer's, is STATUS_LIST_UNAVAILABLE.
 *
 * Issuers publish their lists to the ledger (`statusLists:Publish`, through the gateway's
 * `PUT /v1/status-lists`): the chaincode stores a list only if its proof verifies
 * ({@link verifyStatusListCredential}) and status-list-policy.ts accepts it.
 */
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { verifyCredential } from '@digitalbazaar/vc';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import type { DocumentLoader } from './document-loader.js';
import { describeError } from './errors.js';
import { isJsonObject, type JsonObject } from './json.js';
import type { StatusListFacts, StatusListRefusal } from './status-list-policy.js';

/** Why a credential's status refuses it. */
export interface StatusRefusal {
  readonly code: 'CREDENTIAL_REVOKED' | 'STATUS_LIST_UNAVAILABLE';
  readonly message: string;
  readonly details: JsonObject;
}

/** The status list credentials a check may read, by URL (their `id`). */
export interface StatusListSource {
  get(url: string): JsonObject | undefined;
}

/** True for a JSON object typed BitstringStatusListCredential with a string `id`. */
export function isStatusListCredential(value: unknown): value is JsonObject & { id: string } {
  if (!isJsonObject(value) || typeof value.id !== 'string') return false;
  const types = Array.isArray(value.type) ? value.type : [value.type];
  return types.includes('BitstringStatusListCredential');
}

function validFromOf(credential: JsonObject): string {
  const value = credential.validFrom ?? credential.issuanceDate;
  return typeof value === 'string' ? value : '';
}

function issuerOf(credential: JsonObject): string {
  const issuer = credential.issuer;
  if (typeof issuer === 'string') return issuer;
  return isJsonObject(issuer) && typeof issuer.id === 'string' ? issuer.id : '';
}

/** What status-list-policy.ts reads of a status list credential: id, issuer, validFrom. */
export function statusListFactsOf(credential: JsonObject): StatusListFacts {
  return { id: typeof credential.id === 'string' ? credential.id : '', issuer: issuerOf(credential), validFrom: validFromOf(credential) };
}

/** Why a status list was not stored. */
export type PublishRefusal = StatusListRefusal | { readonly code: 'INVALID_STATUS_LIST'; readonly message: string; readonly details: Readonly<Record<string, string>> };

function invalidList(reason: string): PublishRefusal {
  return { code: 'INVALID_STATUS_LIST', message: `the status list credential is refused: ${reason}`, details: {} };
}

/**
 * Refuses (INVALID_STATUS_LIST) anything but a BitstringStatusListCredential whose proof verifies
 * with `documentLoader`; its validity window is not judged here (status-list-policy.ts judges its
 * date). Undefined when it verifies.
 */
export async function verifyStatusListCredential(credential: unknown, documentLoader: DocumentLoader, now: Date): Promise<PublishRefusal | undefined> {
  if (!isStatusListCredential(credential)) return invalidList('it is not a BitstringStatusListCredential with an id');
  let result;
  try {
    result = await verifyCredential({ credential, suite: new DataIntegrityProof({ cryptosuite }), documentLoader, now, maxClockSkew: Number.POSITIVE_INFINITY });
  } catch (error) {
    return invalidList(`its proof cannot be verified: ${describeError(error)}`);
  }
  if (!result.verified) return invalidList(`its proof does not verify: ${describeError(result.error ?? result.results?.find((r) => r.error)?.error)}`);
  return undefined;
}

/**
 * The distinct status list URLs the `credentialStatus` entries of `credential` point to, sorted
 * (what a caller must load into its {@link StatusListSource}); [] without `credentialStatus`.
 */
export function statusListUrlsOf(credential: JsonObject): string[] {
  const status = credential.credentialStatus;
  if (status === undefined) return [];
  const entries = Array.isArray(status) ? status : [status];
  const urls = new Set<string>();
  for (const entry of entries) {
    if (isJsonObject(entry) && typeof entry.statusListCredential === 'string') urls.add(entry.statusListCredential);
  }
  return [...urls].sort();
}

function unavailable(reason: string): StatusRefusal {
  return {
    code: 'STATUS_LIST_UNAVAILABLE',
    message: `the credential's status cannot be checked: ${reason}; its issuer must publish its status list to the ledger (PUT /v1/status-lists)`,
    details: { reason },
  };
}

/**
 * Checks the Bitstring Status List entries of a credential (if it has `credentialStatus`) against
 * the lists of `lists`, each verified (proof, and validity at `now`) with `documentLoader`;
 * undefined when none of its bits is set. Deterministic for a given `now`: nothing else reads a
 * clock, nothing is fetched.
 */
export async function checkCredentialStatus(credential: JsonObject, lists: StatusListSource, documentLoader: DocumentLoader, now: Date): Promise<StatusRefusal | undefined> {
  if (credential.credentialStatus === undefined) return undefined;
  const suite = new DataIntegrityProof({ cryptosuite });
  for (const url of statusListUrlsOf(credential)) {
    const list = lists.get(url);
    if (list === undefined) return unavailable(`status list ${url} is not held`);
    // the list's proof and its validFrom/validUntil, judged at `now` (the library would use the clock)
    let verified;
    try {
      verified = await verifyCredential({ credential: list, suite, documentLoader, now });
    } catch (error) {
      return unavailable(`status list ${url} cannot be verified: ${describeError(error)}`);
    }
    if (!verified.verified) return unavailable(`status list ${url} does not verify: ${describeError(verified.error ?? verified.results?.find((r) => r.error)?.error)}`);
  }
  const loader: DocumentLoader = async (url: string) => {
    const list = lists.get(url);
    if (list !== undefined) return { contextUrl: null, documentUrl: url, document: structuredClone(list) };
    return documentLoader(url);
  };
  let outcome;
  try {
    outcome = await checkStatus({ credential, documentLoader: loader, suite, verifyBitstringStatusListCredential: false, verifyMatchingIssuers: true });
  } catch (error) {
    return unavailable(describeError(error));
  }
  if (!outcome.verified) return unavailable(describeError(outcome.error));
  const set = (outcome.results ?? []).find((r) => r.status === true);
  if (set === undefined) return undefined;
  const purpose = set.credentialStatus?.statusPurpose ?? 'revocation';
  return {
    code: 'CREDENTIAL_REVOKED',
    message: `the credential's issuer has set its ${purpose} status (list ${set.credentialStatus?.statusListCredential ?? '?'}, index ${set.credentialStatus?.statusListIndex ?? '?'})`,
    details: { statusPurpose: purpose, statusListCredential: set.credentialStatus?.statusListCredential ?? '', statusListIndex: set.credentialStatus?.statusListIndex ?? '' },
  };
}
