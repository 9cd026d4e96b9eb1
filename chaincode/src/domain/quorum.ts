/**
 * The verification quorum: designated verifiers vote once each (never on their own claim). A claim
 * is verified when at least k verifiers approved AND the approving verifiers belong to at least
 * `minVerifierOrgs` distinct organisations (MSPs); it is rejected as soon as that is unreachable,
 * i.e. even if every designated verifier who has not voted yet (the submitter excluded) approved,
 * there would be fewer than k approvals or fewer than `minVerifierOrgs` approving organisations.
 */
import { ChaincodeError } from '../errors';
import { hex64, integerArgument, invalid, oneOf } from './args';
import { withStatus, type Claim, type ClaimStatus } from './claim';
import { sha256Hex } from './hash';
import type { Caller } from './identity';
import { mspsOf, type ProtocolRecord } from './protocol';
import type { Stamp } from './stamp';

/** A verifier's decision. */
export const DECISIONS = ['approve', 'reject'] as const;
/** A verifier's decision. */
export type Decision = (typeof DECISIONS)[number];

/** What a verifier decides about a claim. */
export interface Vote {
  decision: Decision;
  /** approve: 0 < assessed <= claimed; reject: 0. */
  assessedQuantity: number;
  /** sha256 of the verifier's report. */
  reportHash: string;
}

/** A vote on the ledger. */
export interface Verification extends Vote {
  id: string;
  claimId: string;
  verifier: string;
  verifierMsp: string;
  txId: string;
  timestamp: string;
}

/** State of the quorum after a vote. */
export type QuorumOutcome = 'open' | 'verified' | 'rejected';

/** Deterministic verification id. */
export function verificationIdOf(claimId: string, verifier: string): string {
  return sha256Hex(`verification:${claimId}:${verifier}`);
}

/** Parses a vote against the claimed quantity. */
export function newVote(decision: string, assessedQuantity: string, reportHash: string, claimed: number): Vote {
  const parsed = oneOf(decision, 'decision', DECISIONS);
  const assessed = integerArgument(assessedQuantity, 'assessedQuantity', 0);
  if (parsed === 'approve' && (assessed < 1 || assessed > claimed)) {
    throw invalid('assessedQuantity', `an approval must assess between 1 and the claimed ${claimed}`);
  }
  if (parsed === 'reject' && assessed !== 0) throw invalid('assessedQuantity', 'a rejection must assess 0');
  return { decision: parsed, assessedQuantity: assessed, reportHash: hex64(reportHash, 'reportHash') };
}

/** Refuses (NOT_DESIGNATED) a verifier the protocol version does not designate. */
export function assertDesignatedVerifier(protocol: ProtocolRecord, caller: Caller): void {
  if (!protocol.verifiers.includes(caller.identity)) {
    throw new ChaincodeError('NOT_DESIGNATED', `${caller.identity} is not a designated verifier of protocol ${protocol.id} v${protocol.version}`);
  }
}

/** Refuses the submitter (CONFLICT_OF_INTEREST), a second vote (ALREADY_VERIFIED) and a closed quorum. */
export function assertMayVote(claim: Claim, caller: Caller, earlier: Verification | undefined): void {
  if (caller.identity === claim.submitter) {
    throw new ChaincodeError('CONFLICT_OF_INTEREST', `${caller.identity} submitted claim ${claim.id} and cannot verify it`);
  }
  if (earlier) {
    throw new ChaincodeError('ALREADY_VERIFIED', `${caller.identity} already verified claim ${claim.id} (${earlier.decision})`, { verificationId: earlier.id });
  }
  if (claim.status !== 'submitted') {
    throw new ChaincodeError('QUORUM_CLOSED', `claim ${claim.id} is ${claim.status}; its verification is closed`, { status: claim.status });
  }
}

/** A vote as the quorum counts it. */
export type Ballot = Pick<Verification, 'verifier' | 'verifierMsp' | 'decision'>;

/** What the quorum rule needs of a protocol version. */
export type QuorumRule = Pick<ProtocolRecord, 'verifiers' | 'quorum' | 'minVerifierOrgs'>;

/**
 * Outcome of the quorum after `ballots` (every vote cast so far, in any order) on a claim submitted
 * by `submitter`: verified when approvals >= k and approving MSPs >= minVerifierOrgs; rejected
 * when that can no longer happen with the designated verifiers who may still vote; open otherwise.
 */
export function quorumOutcome(ballots: readonly Ballot[], rule: QuorumRule, submitter: string): QuorumOutcome {
  const approving = ballots.filter((b) => b.decision === 'approve');
  const approvingMsps = new Set(approving.map((b) => b.verifierMsp));
  if (approving.length >= rule.quorum && approvingMsps.size >= rule.minVerifierOrgs) return 'verified';
  const voted = new Set(ballots.map((b) => b.verifier));
  const pending = rule.verifiers.filter((v) => v !== submitter && !voted.has(v));
  const reachableMsps = new Set([...approvingMsps, ...mspsOf(pending)]);
  if (approving.length + pending.length < rule.quorum || reachableMsps.size < rule.minVerifierOrgs) return 'rejected';
  return 'open';
}

const STATUS_OF: Readonly<Record<QuorumOutcome, ClaimStatus>> = { open: 'submitted', verified: 'verified', rejected: 'rejected' };

/**
 * Records a vote given the votes already cast on the claim (`earlier`): the verification, the claim
 * with its new counts and status, and the outcome.
 */
export function castVote(
  claim: Claim, vote: Vote, protocol: ProtocolRecord, caller: Caller, stamp: Stamp, earlier: readonly Ballot[],
): { claim: Claim; verification: Verification; outcome: QuorumOutcome } {
  const approvals = claim.approvals + (vote.decision === 'approve' ? 1 : 0);
  const rejections = claim.rejections + (vote.decision === 'reject' ? 1 : 0);
  const ballot: Ballot = { verifier: caller.identity, verifierMsp: caller.mspId, decision: vote.decision };
  const outcome = quorumOutcome([...earlier, ballot], protocol, claim.submitter);
  const verification: Verification = {
    ...vote,
    id: verificationIdOf(claim.id, caller.identity),
    claimId: claim.id,
    verifier: caller.identity,
    verifierMsp: caller.mspId,
    txId: stamp.txId,
    timestamp: stamp.timestamp,
  };
  return { claim: { ...withStatus(claim, STATUS_OF[outcome], stamp), approvals, rejections }, verification, outcome };
}
