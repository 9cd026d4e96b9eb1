import { expect } from 'chai';
import {
  assertDesignatedValidator, assertDesignatedVerifier, assertMayValidate, assertMayVote, castVote, lowerMedian, newClaimSubmission,
  newProtocolDefinition, newVote, openClaim, quorumOutcome, registerProtocol, transitionProtocol, validatedQuantity, withStatus,
  type Ballot, type Claim, type Verification,
} from '@impact-ledger/chaincode/domain';
import { callerOf, claimInput, expectCode, HASH_C, identityOf, org1Operator, protocolInput, stamp, submitter, validator, verifiers } from '../../helpers/domain-fixtures';

const protocol = transitionProtocol(registerProtocol(newProtocolDefinition(protocolInput()), org1Operator, stamp(org1Operator)), 'active', stamp(org1Operator, 2));
const claim = openClaim(newClaimSubmission(claimInput()), protocol, submitter, stamp(submitter, 3));

function vote(on: Claim, verifier: number, decision: 'approve' | 'reject', assessed: number, earlier: readonly Ballot[] = []) {
  const caller = verifiers[verifier]!;
  return castVote(on, newVote(decision, String(assessed), HASH_C, on.quantity), protocol, caller, stamp(caller, 4 + verifier), earlier);
}

const [A, B, C] = verifiers.map((v) => v.identity) as [string, string, string];
const ballot = (verifier: string, decision: 'approve' | 'reject'): Ballot => ({ verifier, verifierMsp: verifier.slice(0, verifier.indexOf('::')), decision });
/** Verifiers A (Org2), B and C (Org3); quorum 2 from at least 2 organisations unless overridden. */
const rule = (overrides: { quorum?: number; minVerifierOrgs?: number; verifiers?: string[] } = {}) => ({ verifiers: [A, B, C], quorum: 2, minVerifierOrgs: 2, ...overrides });

describe('verification quorum', () => {
  it('verifies when approvals reach k', () => {
    const first = vote(claim, 0, 'approve', 9000);
    expect(first.outcome).to.equal('open');
    expect(first.claim.status).to.equal('submitted');
    const second = vote(first.claim, 1, 'approve', 8000, [first.verification]);
    expect(second.outcome).to.equal('verified');
    expect(second.claim).to.include({ status: 'verified', approvals: 2, rejections: 0 });
  });

  it('rejects as soon as k is unreachable (rejections > n - k)', () => {
    const first = vote(claim, 1, 'reject', 0);
    expect(first.outcome, 'n=3, k=2: one rejection of Org3 leaves k (Org2 + Org3) reachable').to.equal('open');
    expect(vote(first.claim, 2, 'reject', 0, [first.verification]).outcome).to.equal('rejected');
    expect(quorumOutcome([ballot(A, 'reject')], rule({ verifiers: [A], quorum: 1, minVerifierOrgs: 1 }), submitter.identity)).to.equal('rejected');
    expect(quorumOutcome([ballot(A, 'approve'), ballot(B, 'reject')], rule(), submitter.identity)).to.equal('open');
    expect(quorumOutcome([ballot(B, 'reject'), ballot(C, 'reject')], rule(), submitter.identity)).to.equal('rejected');
  });

  it('does not verify on approvals of one organisation when minVerifierOrgs is 2', () => {
    const sameOrg = [ballot(B, 'approve'), ballot(C, 'approve')];
    expect(quorumOutcome(sameOrg, rule(), submitter.identity), 'k reached by Org3 alone, Org2 may still approve').to.equal('open');
    expect(quorumOutcome([...sameOrg, ballot(A, 'approve')], rule(), submitter.identity)).to.equal('verified');
    expect(quorumOutcome(sameOrg, rule({ minVerifierOrgs: 1 }), submitter.identity)).to.equal('verified');
    const onlyOrg3 = rule({ verifiers: [B, C, identityOf('Org3MSP', 'User4@org3')], quorum: 2, minVerifierOrgs: 2 });
    expect(quorumOutcome([ballot(B, 'approve')], onlyOrg3, submitter.identity), 'a second organisation is unreachable').to.equal('rejected');
  });

  it('rejects once the organisations still able to approve are too few', () => {
    const rejectedByOrg2 = [ballot(B, 'approve'), ballot(C, 'approve'), ballot(A, 'reject')];
    expect(quorumOutcome(rejectedByOrg2, rule(), submitter.identity), 'two approvals but Org2 rejected').to.equal('rejected');
    const first = vote(claim, 1, 'approve', 9000);
    const second = vote(first.claim, 2, 'approve', 9000, [first.verification]);
    expect(second.claim.status).to.equal('submitted');
    const third = vote(second.claim, 0, 'reject', 0, [first.verification, second.verification]);
    expect(third.outcome).to.equal('rejected');
    expect(third.claim).to.include({ status: 'rejected', approvals: 2, rejections: 1 });
  });

  it('never counts on the submitter, who cannot vote, to reach the quorum', () => {
    const dual = callerOf('Org1MSP', 'User6@org1');
    const withSubmitter = rule({ verifiers: [dual.identity, A], quorum: 1, minVerifierOrgs: 1 });
    expect(quorumOutcome([ballot(A, 'reject')], withSubmitter, dual.identity)).to.equal('rejected');
    expect(quorumOutcome([ballot(A, 'reject')], withSubmitter, submitter.identity)).to.equal('open');
  });

  it('records the vote with its own id, verifier, report hash and transaction', () => {
    const { verification } = vote(claim, 2, 'approve', 10_000);
    expect(verification).to.include({ claimId: claim.id, verifier: verifiers[2].identity, verifierMsp: 'Org3MSP', decision: 'approve', assessedQuantity: 10_000, reportHash: HASH_C, txId: 'tx6' });
  });

  it('bounds assessed quantities: approve in 1..claimed, reject exactly 0', () => {
    expectCode(() => newVote('approve', '0', HASH_C, 100), 'INVALID_ARGUMENT');
    expectCode(() => newVote('approve', '101', HASH_C, 100), 'INVALID_ARGUMENT');
    expectCode(() => newVote('approve', '1.5', HASH_C, 100), 'INVALID_ARGUMENT');
    expectCode(() => newVote('approve', '-1', HASH_C, 100), 'INVALID_ARGUMENT');
    expectCode(() => newVote('reject', '5', HASH_C, 100), 'INVALID_ARGUMENT');
    expectCode(() => newVote('maybe', '5', HASH_C, 100), 'INVALID_ARGUMENT');
    expectCode(() => newVote('approve', '5', 'report', 100), 'INVALID_ARGUMENT');
    expect(newVote('approve', '100', HASH_C, 100).assessedQuantity).to.equal(100);
  });

  it('admits designated verifiers only, never the submitter, once each, while submitted', () => {
    assertDesignatedVerifier(protocol, verifiers[0]);
    expectCode(() => assertDesignatedVerifier(protocol, validator), 'NOT_DESIGNATED');
    expectCode(() => assertMayVote(claim, submitter, undefined), 'CONFLICT_OF_INTEREST');
    const earlier = vote(claim, 0, 'approve', 1).verification;
    expectCode(() => assertMayVote(claim, verifiers[0], earlier), 'ALREADY_VERIFIED');
    for (const status of ['verified', 'rejected', 'withdrawn', 'validated'] as const) {
      expectCode(() => assertMayVote(withStatus(claim, status, stamp(submitter)), verifiers[1], undefined), 'QUORUM_CLOSED');
    }
  });
});

describe('validation', () => {
  const approvals = (...quantities: number[]): Verification[] =>
    quantities.map((q, i) => ({ ...vote(claim, i % 3, 'approve', q).verification, verifier: `v${i}` }));

  it('takes the median, the lower one for an even count', () => {
    expect(lowerMedian([5])).to.equal(5);
    expect(lowerMedian([9, 1, 5])).to.equal(5);
    expect(lowerMedian([9000, 8000])).to.equal(8000);
    expect(lowerMedian([4, 1, 3, 2])).to.equal(2);
    expectCode(() => lowerMedian([]), 'INTERNAL');
  });

  it('caps the value at the median of approving assessments only (odd and even counts)', () => {
    expect(validatedQuantity('8000', approvals(9000, 8000))).to.equal(8000);
    expect(expectCode(() => validatedQuantity('8001', approvals(9000, 8000)), 'VALUE_ABOVE_MEDIAN').details).to.deep.equal({ quantity: 8001, cap: 8000 });
    expect(validatedQuantity('7000', approvals(9000, 7000, 8000).slice(0, 3))).to.equal(7000);
    expectCode(() => validatedQuantity('8001', approvals(9000, 7000, 8000)), 'VALUE_ABOVE_MEDIAN');
    const withRejection = [...approvals(100, 200), { ...vote(claim, 2, 'reject', 0).verification }];
    expect(validatedQuantity('100', withRejection), 'a rejection does not pull the median to 0').to.equal(100);
    expectCode(() => validatedQuantity('0', approvals(5)), 'INVALID_ARGUMENT');
    expectCode(() => validatedQuantity('2.5', approvals(5)), 'INVALID_ARGUMENT');
  });

  it('admits a designated validator who did not verify, for a verified claim without proof', () => {
    const verified = withStatus(claim, 'verified', stamp(submitter));
    assertDesignatedValidator(protocol, validator);
    expectCode(() => assertDesignatedValidator(protocol, verifiers[0]), 'NOT_DESIGNATED');
    const votes = [vote(claim, 0, 'approve', 5).verification];
    assertMayValidate(verified, validator, votes, protocol);
    expectCode(() => assertMayValidate(verified, verifiers[0], votes, protocol), 'CONFLICT_OF_INTEREST');
    expectCode(() => assertMayValidate(claim, validator, votes, protocol), 'CLAIM_NOT_VERIFIED');
    expectCode(() => assertMayValidate(withStatus(claim, 'rejected', stamp(submitter)), validator, votes, protocol), 'CLAIM_NOT_VERIFIED');
    expectCode(() => assertMayValidate({ ...withStatus(claim, 'validated', stamp(submitter)), proofId: 'p' }, validator, votes, protocol), 'PROOF_ALREADY_ISSUED');
  });

  it('refuses a validator of the submitter\'s organisation unless the protocol allows it', () => {
    const verified = withStatus(claim, 'verified', stamp(submitter));
    const votes = [vote(claim, 0, 'approve', 5).verification];
    const sameOrg = callerOf(submitter.mspId, 'User7@org1');
    const refusal = expectCode(() => assertMayValidate(verified, sameOrg, votes, protocol), 'SAME_ORG_VALIDATOR');
    expect(refusal.details).to.deep.equal({ submitterMsp: submitter.mspId });
    assertMayValidate(verified, sameOrg, votes, { ...protocol, validatorFromOtherOrg: false });
  });
});
