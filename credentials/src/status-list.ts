/**
 * W3C Bitstring Status List: when a credential carries `credentialStatus`, its status list
 * credential is taken from a local registry (never fetched over the network), its proof is
 * verified (eddsa-rdfc-2022, signed by the credential's own issuer), and the credential's bit is
 * read with @digitalbazaar/vc-bitstring-status-list. A set bit (revocation or suspension) refuses
 * the credential (CREDENTIAL_REVOKED); a list the gateway does not hold, or one that does not
 * verify, is STATUS_LIST_UNAVAILABLE. Issuers publish their lists through `PUT /v1/status-lists`
 * (operators or holders of the ledger role `status-publisher`; the gateway stores only lists whose
 * proof verifies and that status-list-policy.ts accepts) or the registry directory
 * (`<data dir>/status-lists/*.json`, placed by the gateway's operator).
 */
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { verifyCredential } from '@digitalbazaar/vc';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DocumentLoader } from './document-loader.js';
import { describeError } from './errors.js';
import { isJsonObject, type JsonObject } from './json.js';
import { statusListAcceptance, type StatusListFacts, type StatusListRefusal } from './status-list-policy.js';

/** Why a credential's status refuses it. */
export interface StatusRefusal {
  readonly code: 'CREDENTIAL_REVOKED' | 'STATUS_LIST_UNAVAILABLE';
  readonly message: string;
  readonly details: JsonObject;
}

function isStatusListCredential(value: unknown): value is JsonObject & { id: string } {
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

function factsOf(credential: JsonObject): StatusListFacts {
  return { id: typeof credential.id === 'string' ? credential.id : '', issuer: issuerOf(credential), validFrom: validFromOf(credential) };
}

/** What a publication is judged against: the issuers the ledger's protocols trust, and the clock. */
export interface PublishPolicy {
  /** Trusted issuers of every registered protocol version. */
  readonly trustedIssuers: readonly string[];
  readonly now: Date;
}

/** Why a status list was not stored. */
export type PublishRefusal = StatusListRefusal | { readonly code: 'INVALID_STATUS_LIST'; readonly message: string; readonly details: Readonly<Record<string, string>> };

function invalidList(reason: string): PublishRefusal {
  return { code: 'INVALID_STATUS_LIST', message: `the status list credential is refused: ${reason}`, details: {} };
}

/** The status list credentials a gateway holds, by URL (their `id`), kept in a directory. */
export class StatusListRegistry {
  readonly #lists = new Map<string, JsonObject>();

  /** Loads `dir/*.json` (created if missing); without `dir` the registry lives in memory only. */
  constructor(private readonly dir?: string) {
    if (dir === undefined) return;
    mkdirSync(dir, { recursive: true });
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      const parsed: unknown = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
      if (isStatusListCredential(parsed)) this.#lists.set(parsed.id, parsed);
    }
  }

  /** The status list credential published under `url`. */
  get(url: string): JsonObject | undefined {
    return this.#lists.get(url);
  }

  /**
   * Stores a status list credential after verifying its proof, if the acceptance rule
   * (status-list-policy.ts) allows it: a trusted issuer of some registered protocol, the same
   * issuer as the list held under its id, not dated in the future, not older than the held list.
   * Returns the refusal (INVALID_STATUS_LIST for a credential that is not a list or does not
   * verify), undefined once stored.
   */
  async publish(credential: unknown, documentLoader: DocumentLoader, policy: PublishPolicy): Promise<PublishRefusal | undefined> {
    if (!isStatusListCredential(credential)) return invalidList('it is not a BitstringStatusListCredential with an id');
    const result = await verifyCredential({ credential, suite: new DataIntegrityProof({ cryptosuite }), documentLoader, now: policy.now, maxClockSkew: Number.POSITIVE_INFINITY });
    if (!result.verified) return invalidList(`its proof does not verify: ${describeError(result.error ?? result.results?.find((r) => r.error)?.error)}`);
    const held = this.#lists.get(credential.id);
    const refusal = statusListAcceptance(factsOf(credential), held === undefined ? undefined : factsOf(held), policy.trustedIssuers, policy.now);
    if (refusal !== undefined) return refusal;
    this.#lists.set(credential.id, credential);
    if (this.dir !== undefined) {
      const file = path.join(this.dir, `${createHash('sha256').update(credential.id).digest('hex')}.json`);
      writeFileSync(`${file}.tmp`, JSON.stringify(credential));
      renameSync(`${file}.tmp`, file);
    }
    return undefined;
  }

  /** `loader`, also serving the registry's status list credentials. */
  loader(base: DocumentLoader): DocumentLoader {
    return async (url: string) => {
      const list = this.#lists.get(url);
      if (list !== undefined) return { contextUrl: null, documentUrl: url, document: structuredClone(list) };
      return base(url);
    };
  }
}

/**
 * Checks the Bitstring Status List entries of a credential (if it has `credentialStatus`);
 * undefined when none of its bits is set.
 */
export async function checkCredentialStatus(credential: JsonObject, registry: StatusListRegistry, documentLoader: DocumentLoader): Promise<StatusRefusal | undefined> {
  if (credential.credentialStatus === undefined) return undefined;
  const outcome = await checkStatus({
    credential, documentLoader: registry.loader(documentLoader), suite: new DataIntegrityProof({ cryptosuite }),
    verifyBitstringStatusListCredential: true, verifyMatchingIssuers: true,
  });
  if (!outcome.verified) {
    return {
      code: 'STATUS_LIST_UNAVAILABLE',
      message: `the credential's status cannot be checked: ${describeError(outcome.error)}; its issuer must publish its status list (PUT /v1/status-lists)`,
      details: { reason: describeError(outcome.error) },
    };
  }
  const set = (outcome.results ?? []).find((r) => r.status === true);
  if (set === undefined) return undefined;
  const purpose = set.credentialStatus?.statusPurpose ?? 'revocation';
  return {
    code: 'CREDENTIAL_REVOKED',
    message: `the credential's issuer has set its ${purpose} status (list ${set.credentialStatus?.statusListCredential ?? '?'}, index ${set.credentialStatus?.statusListIndex ?? '?'})`,
    details: { statusPurpose: purpose, statusListCredential: set.credentialStatus?.statusListCredential ?? '', statusListIndex: set.credentialStatus?.statusListIndex ?? '' },
  };
}
