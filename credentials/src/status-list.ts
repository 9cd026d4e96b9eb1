/**
 * W3C Bitstring Status List: when a credential carries `credentialStatus`, its status list
 * credential is taken from a local registry (never fetched over the network), its proof is
 * verified (eddsa-rdfc-2022, signed by the credential's own issuer), and the credential's bit is
 * read with @digitalbazaar/vc-bitstring-status-list. A set bit (revocation or suspension) refuses
 * the credential (CREDENTIAL_REVOKED); a list the gateway does not hold, or one that does not
 * verify, is STATUS_LIST_UNAVAILABLE. Issuers publish their lists through `PUT /v1/status-lists`
 * (self-authenticating: the gateway stores only lists whose proof verifies) or the registry
 * directory (`<data dir>/status-lists/*.json`).
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
   * Stores a status list credential after verifying its proof. Refuses (returns the reason) a
   * credential that is not a BitstringStatusListCredential, does not verify, or is older than the
   * one held for the same URL (no rollback to an earlier list).
   */
  async publish(credential: unknown, documentLoader: DocumentLoader): Promise<string | undefined> {
    if (!isStatusListCredential(credential)) return 'not a BitstringStatusListCredential with an id';
    const result = await verifyCredential({ credential, suite: new DataIntegrityProof({ cryptosuite }), documentLoader, now: new Date(), maxClockSkew: Number.POSITIVE_INFINITY });
    if (!result.verified) return `its proof does not verify: ${describeError(result.error ?? result.results?.find((r) => r.error)?.error)}`;
    const held = this.#lists.get(credential.id);
    if (held !== undefined && validFromOf(credential) < validFromOf(held)) return `it is older (validFrom ${validFromOf(credential)}) than the list held (${validFromOf(held)})`;
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
