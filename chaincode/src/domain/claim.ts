/**
 * Claims: a credential's anchored facts (hashes and pseudonyms only), checked against its
 * protocol, and the claim lifecycle submitted -> verified | rejected | withdrawn -> validated.
 */
import { ChaincodeError } from '../errors';
import { asFields, hex64, integer, invalid, list, oneOf, onlyFields, type Fields } from './args';
import { daysInclusive, formatIsoDate, monthSlices, parseIsoDate, type MonthSlice } from './calendar';
import { sha256Hex } from './hash';
import { assertEvidenceMeetsLevel, claimAdditionality, parseAdditionalityQuantities, parseClaimEvidence, type AdditionalityQuantities, type ClaimAdditionality, type ClaimEvidence } from './evidence';
import type { Caller } from './identity';
import { assertActive, PROOF_LEVELS, proofLevelRank, slug, type ProofLevel, type ProtocolRecord } from './protocol';
import { parseIssuer, type FlagMark } from './revocation';
import type { Stamp } from './stamp';

/** Transient data key of the credential a `claims:Submit` proposal carries (UTF-8 JSON). */
export const CREDENTIAL_TRANSIENT_KEY = 'credential';
/** Transient data key of the network's pseudonym secret given once to `system:SetPseudonymSecret`. */
export const PSEUDONYM_SECRET_TRANSIENT_KEY = 'pseudonymSecret';

/** Longest activity period of one claim, in days. */
export const MAX_PERIOD_DAYS = 366;
/** Most evidence hashes one claim carries. */
export const MAX_EVIDENCE_HASHES = 32;

/** Claim states. */
export const CLAIM_STATUSES = ['submitted', 'verified', 'rejected', 'withdrawn', 'validated'] as const;
/** A claim's lifecycle state. */
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/**
 * What a submitter states in the clear (the one JSON argument of `claims:Submit`): only facts that
 * cannot lie about the credential. Everything else (hash, pseudonym, period, quantity, issuer)
 * the chaincode derives from the credential itself, carried in the proposal's transient data.
 */
export interface ClaimRequest {
  protocolId: string;
  protocolVersion: number;
  proofLevel: ProofLevel;
  evidenceHashes: string[];
  /** Named evidence (kind -> sha256): what the proof level requires under the protocol version. */
  evidence?: ClaimEvidence;
  /** The claim's baseline and counterfactual quantities, in the protocol's unit. */
  additionality?: AdditionalityQuantities;
}

/** What the endorsing peer derived from the verified credential. */
export interface CredentialFacts {
  credentialHash: string;
  subjectPseudonym: string;
  periodStart: string;
  periodEnd: string;
  quantity: number;
  issuer: string;
}

/** The anchored facts of a claim: the request and what the credential proved. */
export interface ClaimSubmission {
  protocolId: string;
  protocolVersion: number;
  credentialHash: string;
  subjectPseudonym: string;
  /** `YYYY-MM-DD`, inclusive. */
  periodStart: string;
  /** `YYYY-MM-DD`, inclusive. */
  periodEnd: string;
  quantity: number;
  proofLevel: ProofLevel;
  evidenceHashes: string[];
  /** The credential's issuer DID (indexes the claim for issuer revocation); optional. */
  issuer?: string;
  /** Named evidence (kind -> sha256). */
  evidence?: ClaimEvidence;
  /** The claim's baseline and counterfactual quantities. */
  additionality?: AdditionalityQuantities;
}

/** A claim on the ledger. */
export interface Claim extends ClaimSubmission {
  id: string;
  category: string;
  status: ClaimStatus;
  submitter: string;
  submitterMsp: string;
  txId: string;
  timestamp: string;
  approvals: number;
  rejections: number;
  updatedTxId: string;
  updatedAt: string;
  proofId?: string;
  /** Revocation flags that reached the claim (see revocation.ts). */
  flags?: FlagMark[];
  /** The additionality record: quantities, the protocol's method hash and the record's hash. */
  additionality?: ClaimAdditionality;
}

const FIELDS = [
  'protocolId', 'protocolVersion', 'credentialHash', 'subjectPseudonym', 'periodStart', 'periodEnd', 'quantity',
  'proofLevel', 'evidenceHashes', 'issuer', 'evidence', 'additionality',
];

const REQUEST_FIELDS = ['protocolId', 'protocolVersion', 'proofLevel', 'evidenceHashes', 'evidence', 'additionality'];

/**
 * Validates the public arguments of a claim; refuses (INVALID_ARGUMENT naming the field) any other
 * field, notably a credential hash, pseudonym, period or quantity chosen by the client.
 */
export function newClaimRequest(value: unknown): ClaimRequest {
  const input = asFields(value, 'claim');
  onlyFields(input, REQUEST_FIELDS, 'claim');
  return claimArguments(input);
}

/** The public arguments of a claim (protocol version, proof level, evidence), validated. */
function claimArguments(input: Fields): ClaimRequest {
  return {
    protocolId: slug(input.protocolId, 'protocolId'),
    protocolVersion: integer(input.protocolVersion, 'protocolVersion', 1),
    proofLevel: oneOf(input.proofLevel, 'proofLevel', PROOF_LEVELS),
    evidenceHashes: list(input.evidenceHashes, 'evidenceHashes', hex64, MAX_EVIDENCE_HASHES),
    ...(input.evidence === undefined ? {} : { evidence: parseClaimEvidence(input.evidence) }),
    ...(input.additionality === undefined ? {} : { additionality: parseAdditionalityQuantities(input.additionality) }),
  };
}

/** The claim's anchored facts: the request plus what the credential proved (validated as ever). */
export function claimSubmission(request: ClaimRequest, facts: CredentialFacts): ClaimSubmission {
  return newClaimSubmission({ ...request, ...facts });
}

/**
 * Refuses (PROTOCOL_NOT_ACTIVE, PROOF_LEVEL_TOO_LOW, EVIDENCE_INSUFFICIENT) a claim the protocol
 * version does not accept: below its minimum level, or without the evidence its level requires.
 */
export function assertProtocolAccepts(protocol: ProtocolRecord, proofLevel: ProofLevel, evidence: ClaimEvidence | undefined): void {
  assertActive(protocol, 'submitting a claim');
  if (proofLevelRank(proofLevel) < proofLevelRank(protocol.minProofLevel)) {
    throw new ChaincodeError('PROOF_LEVEL_TOO_LOW', `proof level ${proofLevel} is below the protocol's minimum ${protocol.minProofLevel}`, {
      proofLevel,
      minProofLevel: protocol.minProofLevel,
    });
  }
  assertEvidenceMeetsLevel(protocol, proofLevel, evidence);
}

/** Deterministic claim id: sha256 of `claim:` + credential hash, so a credential maps to one claim. */
export function claimIdOf(credentialHash: string): string {
  return sha256Hex(`claim:${credentialHash}`);
}

function period(input: Fields): Pick<ClaimSubmission, 'periodStart' | 'periodEnd'> {
  const start = parseIsoDate(input.periodStart, 'periodStart');
  const end = parseIsoDate(input.periodEnd, 'periodEnd');
  const days = daysInclusive(start, end);
  if (days < 1) throw invalid('periodEnd', 'must not be before periodStart');
  if (days > MAX_PERIOD_DAYS) {
    throw new ChaincodeError('PERIOD_TOO_LONG', `the activity period covers ${days} days; at most ${MAX_PERIOD_DAYS} are allowed, split it into several claims`, {
      days,
      maxDays: MAX_PERIOD_DAYS,
    });
  }
  return { periodStart: formatIsoDate(start), periodEnd: formatIsoDate(end) };
}

/** Validates a claim document; refuses with INVALID_ARGUMENT naming the field, or PERIOD_TOO_LONG. */
export function newClaimSubmission(value: unknown): ClaimSubmission {
  const input = asFields(value, 'claim');
  onlyFields(input, FIELDS, 'claim');
  return {
    ...claimArguments(input),
    credentialHash: hex64(input.credentialHash, 'credentialHash'),
    subjectPseudonym: hex64(input.subjectPseudonym, 'subjectPseudonym'),
    ...period(input),
    quantity: integer(input.quantity, 'quantity', 1),
    ...(input.issuer === undefined ? {} : { issuer: parseIssuer(input.issuer) }),
  };
}

/** Refuses a credential hash that was ever anchored (CREDENTIAL_REPLAYED), whatever became of it. */
export function assertNotReplayed(existing: Claim | undefined): void {
  if (existing) {
    throw new ChaincodeError('CREDENTIAL_REPLAYED', `this credential was already submitted as claim ${existing.id} (${existing.status}); a credential counts once, ever`, {
      claimId: existing.id,
      status: existing.status,
    });
  }
}

/** A new claim in `submitted`, after checking the protocol accepts it. */
export function openClaim(submission: ClaimSubmission, protocol: ProtocolRecord, caller: Caller, stamp: Stamp): Claim {
  assertProtocolAccepts(protocol, submission.proofLevel, submission.evidence);
  const { additionality, ...facts } = submission;
  return {
    ...facts,
    ...(additionality === undefined ? {} : { additionality: claimAdditionality(additionality, protocol) }),
    id: claimIdOf(submission.credentialHash),
    category: protocol.category,
    status: 'submitted',
    submitter: caller.identity,
    submitterMsp: caller.mspId,
    txId: stamp.txId,
    timestamp: stamp.timestamp,
    approvals: 0,
    rejections: 0,
    updatedTxId: stamp.txId,
    updatedAt: stamp.timestamp,
  };
}

/** The months (and days in them) of the claim's activity period. */
export function claimSlices(claim: Pick<ClaimSubmission, 'periodStart' | 'periodEnd'>): MonthSlice[] {
  return monthSlices(parseIsoDate(claim.periodStart, 'periodStart'), parseIsoDate(claim.periodEnd, 'periodEnd'));
}

/** True while the claim holds its days (submitted, verified or validated). */
export function isLive(status: ClaimStatus): boolean {
  return status === 'submitted' || status === 'verified' || status === 'validated';
}

/**
 * Who may withdraw: the submitting identity (which must still hold the submitter role, checked by
 * the caller of this function) or an operator of the claim's MSP. Refuses everyone else.
 */
export function withdrawalAuthority(claim: Claim, caller: Caller): 'submitter' | 'operator' {
  if (caller.identity === claim.submitter) return 'submitter';
  if (caller.operator && caller.mspId === claim.submitterMsp) return 'operator';
  throw new ChaincodeError('FORBIDDEN_ROLE', `only the submitter of claim ${claim.id} or an operator of ${claim.submitterMsp} may withdraw it`);
}

/** The claim moved to `status` by the transaction `stamp`. */
export function withStatus(claim: Claim, status: ClaimStatus, stamp: Stamp): Claim {
  return { ...claim, status, updatedTxId: stamp.txId, updatedAt: stamp.timestamp };
}

/** Withdraws a submitted or verified claim (INVALID_STATE_TRANSITION otherwise). */
export function withdrawClaim(claim: Claim, stamp: Stamp): Claim {
  if (claim.status !== 'submitted' && claim.status !== 'verified') {
    throw new ChaincodeError('INVALID_STATE_TRANSITION', `claim ${claim.id} is ${claim.status}; only submitted or verified claims can be withdrawn`, {
      status: claim.status,
    });
  }
  return withStatus(claim, 'withdrawn', stamp);
}

/** Filter of `claims:List`: by status, or by protocol version, or none. */
export type ClaimFilter = { status: ClaimStatus } | { protocolId: string; protocolVersion: number } | Record<string, never>;

/** Parses the claims filter (`""`, `{}`, `{"status":…}` or `{"protocolId":…,"protocolVersion":…}`). */
export function parseClaimFilter(value: unknown): ClaimFilter {
  const input = asFields(value, 'filter');
  onlyFields(input, ['status', 'protocolId', 'protocolVersion'], 'filter');
  if (input.status !== undefined) {
    if (input.protocolId !== undefined || input.protocolVersion !== undefined) throw invalid('filter', 'filter by status or by protocol, not both');
    return { status: oneOf(input.status, 'filter.status', CLAIM_STATUSES) };
  }
  if (input.protocolId === undefined && input.protocolVersion === undefined) return {};
  return { protocolId: slug(input.protocolId, 'filter.protocolId'), protocolVersion: integer(input.protocolVersion, 'filter.protocolVersion', 1) };
}
