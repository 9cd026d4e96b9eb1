/**
 * Who may replace a status list: the acceptance rule of a published Bitstring Status List
 * credential, as a pure function of the list, the list held under the same id, the issuers the
 * ledger's protocols trust, and the clock. No Fabric, HTTP or crypto imports, so the chaincode can
 * call the same rule once status lists live on the ledger. The list's proof is verified before
 * (status-list.ts); this rule decides whether a verified list may be held.
 *
 * A list is accepted only when
 * - its issuer is a trusted issuer of some registered protocol version (UNTRUSTED_ISSUER): nobody
 *   else's lists can matter to a claim;
 * - no list of another issuer is held under its id (STATUS_LIST_ISSUER_MISMATCH): a list id is
 *   bound to the issuer of its first accepted list, so nobody can replace an issuer's list;
 * - it is not dated in the future beyond the clock skew (STATUS_LIST_NOT_YET_VALID): a list dated
 *   9999 would lock out every later update;
 * - it is not older than the held list (STATUS_LIST_ROLLBACK): no rollback to an earlier list.
 */

/** The facts of a status list credential the rule reads. */
export interface StatusListFacts {
  /** The list's URL (`id`). */
  readonly id: string;
  /** The issuer's id. */
  readonly issuer: string;
  /** `validFrom` (or VCDM 1.1 `issuanceDate`) as written; '' when absent. */
  readonly validFrom: string;
}

/** Why a list is refused. */
export interface StatusListRefusal {
  readonly code: 'UNTRUSTED_ISSUER' | 'STATUS_LIST_ISSUER_MISMATCH' | 'STATUS_LIST_NOT_YET_VALID' | 'STATUS_LIST_ROLLBACK';
  readonly message: string;
  readonly details: Readonly<Record<string, string>>;
}

/** Tolerance for issuer clocks ahead of ours, in milliseconds (as for credentials). */
export const STATUS_LIST_CLOCK_SKEW_MS = 300_000;

/**
 * The refusal of `list` given the list `held` under the same id (if any) and the issuers trusted by
 * the registered protocol versions; undefined when the list may replace (or become) the held one.
 */
export function statusListAcceptance(list: StatusListFacts, held: StatusListFacts | undefined, trustedIssuers: readonly string[], now: Date): StatusListRefusal | undefined {
  if (!trustedIssuers.includes(list.issuer)) {
    return { code: 'UNTRUSTED_ISSUER', message: `issuer ${list.issuer} is not a trusted issuer of any registered protocol; only their status lists are held`, details: { issuer: list.issuer } };
  }
  if (held !== undefined && held.issuer !== list.issuer) {
    return {
      code: 'STATUS_LIST_ISSUER_MISMATCH',
      message: `status list ${list.id} belongs to ${held.issuer}, which published it first; only that issuer replaces it`,
      details: { statusList: list.id, heldIssuer: held.issuer, issuer: list.issuer },
    };
  }
  const validFrom = Date.parse(list.validFrom);
  if (list.validFrom !== '' && (Number.isNaN(validFrom) || validFrom - STATUS_LIST_CLOCK_SKEW_MS > now.getTime())) {
    return { code: 'STATUS_LIST_NOT_YET_VALID', message: `the status list is dated ${list.validFrom}, after now (${now.toISOString()}); publish it when it is valid`, details: { validFrom: list.validFrom } };
  }
  if (held !== undefined && list.validFrom < held.validFrom) {
    return { code: 'STATUS_LIST_ROLLBACK', message: `the status list is older (validFrom ${list.validFrom}) than the list held (${held.validFrom})`, details: { validFrom: list.validFrom, heldValidFrom: held.validFrom } };
  }
  return undefined;
}
