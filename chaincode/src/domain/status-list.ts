/**
 * Issuers' W3C Bitstring Status Lists held on the ledger, and the index of trusted issuers that
 * lets `statusLists:Publish` judge a list with point reads only. Pure records and rules; the
 * acceptance rule itself (trusted issuer, list id bound to its first issuer, not post-dated, no
 * rollback) is `statusListAcceptance` of @impact-ledger/credentials, applied by the contract.
 */
import type { IssuerKeys, ProtocolRecord } from './protocol';
import type { Stamp } from './stamp';

/** Largest status list credential accepted, in bytes of its JSON. */
export const MAX_STATUS_LIST_BYTES = 256 * 1024;

/** Most distinct status lists one credential's `credentialStatus` may point to (one read each). */
export const MAX_STATUS_LISTS_PER_CREDENTIAL = 8;

/**
 * An issuer trusted by some registered protocol version: written by `protocols:Register` for each
 * of the version's trusted issuers (the latest registration wins), never removed (a registered
 * version stays registered, whatever its status). `issuerKey` is that version's key record for a
 * non-did:key issuer, what the static loader needs to verify the issuer's status lists.
 */
export interface TrustedIssuerRecord {
  issuer: string;
  protocolId: string;
  protocolVersion: number;
  issuerKey?: IssuerKeys;
}

/** The trusted-issuer index entries of a newly registered protocol version. */
export function trustedIssuerRecords(protocol: ProtocolRecord): TrustedIssuerRecord[] {
  return [...protocol.trustedIssuers].sort().map((issuer) => {
    const issuerKey = (protocol.issuerKeys ?? []).find((k) => k.controller === issuer);
    return { issuer, protocolId: protocol.id, protocolVersion: protocol.version, ...(issuerKey === undefined ? {} : { issuerKey }) };
  });
}

/** A status list credential held on the ledger under its id, with who published it when. */
export interface StatusListRecord {
  /** The list's URL (`id`). */
  id: string;
  issuer: string;
  /** `validFrom` (or `issuanceDate`) as written; '' when absent. */
  validFrom: string;
  /** The BitstringStatusListCredential itself (its proof verified at publication). */
  credential: Record<string, unknown>;
  published: Stamp;
}
