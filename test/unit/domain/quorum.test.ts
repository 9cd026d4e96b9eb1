import { expect } from 'chai';
import {
  assertDesignatedValidator, assertDesignatedVerifier, assertMayValidate, assertMayVote, castVote, lowerMedian, newClaimSubmission,
  newProtocolDefinition, newVote, openClaim, quorumOutcome, registerProtocol, transitionProtocol, validatedQuantity, withStatus,
  type Claim, type Verification,
} from '@impact-ledger/chaincode/domain';
import { claimInput, expectCode, HASH_C, org1Operator, protocolInput, stamp, submitter, validator, verifiers } from '../../helpers/domain-fixtures';

const protocol = transitionProtocol(registerProtocol(newProtocolDefinition(protocolInput()), org1Operator, stamp(org1Operator)), 'active', stamp(org1Operator, 2));
const claim = openClaim(newClaimSubmission(claimInput()), protocol, submitter, stamp(submitter, 3));

function vote(on: Claim, verifier: number, decision: 'approve' | 'reject', assessed: number) {
  const caller = verifiers[verifier]!;
  return castVote(on, newVote(decision, String(assessed), HASH_C, on.quantity), protocol, caller, stamp(caller, 4 + verifier));
}

describe('verification quorum', () => {
  it('verifies when approvals reach k', () => {
    const first = vote(claim, 0, 'approve', 9000);
    expect(first.outcome).to.equal('open');
    expect(first.claim.status).to.equal('submitted');
    const second = vote(first.claim, 1, 'approve', 8000);
    expect(second.outcome).to.equal('verified');
    expect(second.claim).to.include({ status: 'verified', approvals: 2, rejections: 0 });
  });

  it('rejects as soon as k is unreachable (rejections > n - k)', () => {
    const first = vote(claim, 0, 'reject', 0);
    expect(first.outcome, 'n=3, k=2: one rejection leaves k reachable').to.equal('open');
    expect(vote(first.claim, 1, 'reject', 0).outcome).to.equal('rejected');
    expect(quorumOutcome(0, 1, 1, 1)).to.equal('rejected');
    expect(quorumOutcome(2, 2, 5, 3)).to.equal('open');
    expect(quorumOutcome(2, 3, 5, 3)).to.equal('rejected');
    expect(quorumOutcome(3, 2, 5, 3)).to.equal('verified');
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
    assertMayValidate(verified, validator, votes);
    expectCode(() => assertMayValidate(verified, verifiers[0], votes), 'CONFLICT_OF_INTEREST');
    expectCode(() => assertMayValidate(claim, validator, votes), 'CLAIM_NOT_VERIFIED');
    expectCode(() => assertMayValidate(withStatus(claim, 'rejected', stamp(submitter)), validator, votes), 'CLAIM_NOT_VERIFIED');
    expectCode(() => assertMayValidate({ ...withStatus(claim, 'validated', stamp(submitter)), proofId: 'p' }, validator, votes), 'PROOF_ALREADY_ISSUED');
  });
});
