import { expect } from 'chai';
import {
  assertOwnerMayMove, castVote, issueProof, MAX_SPLIT_DEPTH, moveQuantity, newClaimSubmission, newProtocolDefinition, newVote, openClaim,
  parsePrice, proofIdOf, registerProtocol, retireProof, sha256Hex, splitProof, transferProof, transitionProtocol, withStatus, type ProofOfImpact,
} from '@impact-ledger/chaincode/domain';
import { callerOf, claimInput, expectCode, HASH_C, org1Operator, protocolInput, stamp, submitter, validator, verifiers } from '../../helpers/domain-fixtures';

const protocol = transitionProtocol(registerProtocol(newProtocolDefinition(protocolInput()), org1Operator, stamp(org1Operator)), 'active', stamp(org1Operator, 2));
const claim = openClaim(newClaimSubmission(claimInput()), protocol, submitter, stamp(submitter, 3));
const votes = [0, 1].map((i) => castVote(claim, newVote('approve', '9000', HASH_C, claim.quantity), protocol, verifiers[i]!, stamp(verifiers[i]!, 4), []).verification);
const proof = issueProof(withStatus(claim, 'verified', stamp(submitter)), protocol, votes, 9000, validator, stamp(validator, 5));
const funder = callerOf('Org2MSP', 'User5@org2');

function units(p: ProofOfImpact): number {
  return p.unitRange.last - p.unitRange.first + 1;
}

describe('proof issuance', () => {
  it('issues one deterministic proof per claim, owned by the submitter, with a registry serial', () => {
    expect(proof.id).to.equal(proofIdOf(claim.id)).and.to.equal(sha256Hex(`proof:${claim.id}`));
    expect(proof.serial).to.equal(`IL-commute-modal-shift-v1-2026-${proof.id.slice(0, 12)}-1-9000`);
    expect(proof).to.include({ owner: submitter.identity, issuer: validator.identity, quantity: 9000, pillar: 'B', unit: 'gCO2e', status: 'active', originId: proof.id, depth: 0, producerPseudonym: claim.subjectPseudonym, issuedTxId: 'tx5' });
    expect(proof.unitRange).to.deep.equal({ first: 1, last: 9000 });
    expect(proof.vintage).to.deep.equal({ start: '2026-03-01', end: '2026-03-31' });
    expect(proof.verifiers).to.deep.equal([verifiers[0].identity, verifiers[1].identity].sort());
  });
});

describe('splits', () => {
  it('splits into two children whose quantities sum exactly and whose unit ranges are contiguous', () => {
    const { parent, first, rest } = splitProof(proof, 3000, stamp(submitter, 6));
    expect(first.quantity + rest.quantity).to.equal(proof.quantity);
    expect(first.unitRange).to.deep.equal({ first: 1, last: 3000 });
    expect(rest.unitRange).to.deep.equal({ first: 3001, last: 9000 });
    expect([units(first), units(rest)]).to.deep.equal([first.quantity, rest.quantity]);
    expect(parent.status).to.equal('split');
    expect(parent.children).to.deep.equal([first.id, rest.id]);
    for (const child of [first, rest]) expect(child).to.include({ parentId: proof.id, originId: proof.id, depth: 1, status: 'active' });
    expect(rest.serial).to.equal(`IL-commute-modal-shift-v1-2026-${proof.id.slice(0, 12)}-3001-9000`);
  });

  it('gives nested splits disjoint sub-ranges and distinct ids and serials', () => {
    const level1 = splitProof(proof, 3000, stamp(submitter, 6));
    const level2 = splitProof(level1.rest, 1, stamp(submitter, 7));
    const leaves = [level1.first, level2.first, level2.rest];
    expect(leaves.map((p) => [p.unitRange.first, p.unitRange.last])).to.deep.equal([[1, 3000], [3001, 3001], [3002, 9000]]);
    expect(leaves.reduce((sum, p) => sum + p.quantity, 0)).to.equal(9000);
    expect(new Set(leaves.map((p) => p.id)).size).to.equal(3);
    expect(new Set(leaves.map((p) => p.serial)).size).to.equal(3);
    expect(level2.first).to.include({ parentId: level1.rest.id, originId: proof.id, depth: 2 });
  });

  it('refuses splits beyond the depth bound that keeps provenance reads bounded', () => {
    expectCode(() => splitProof({ ...proof, depth: MAX_SPLIT_DEPTH }, 1, stamp(submitter)), 'SPLIT_DEPTH_EXCEEDED');
    expectCode(() => splitProof(proof, 9000, stamp(submitter)), 'INVALID_ARGUMENT');
  });
});

describe('transfers and retirements', () => {
  it('transfers a whole proof by changing its owner, recording the price', () => {
    const { moved, parent } = transferProof(proof, funder.identity, 9000, { amount: 4500, currency: 'EUR' }, stamp(submitter, 6));
    expect(parent).to.equal(undefined);
    expect(moved).to.include({ id: proof.id, owner: funder.identity, status: 'active' });
    expect(moved.price).to.deep.equal({ amount: 4500, currency: 'EUR' });
    expect(moved.lastTransfer).to.deep.equal({ from: submitter.identity, txId: 'tx6', timestamp: stamp(submitter, 6).timestamp });
    expect(transferProof(moved, submitter.identity, 9000, undefined, stamp(funder, 7)).moved.price, 'a transfer without price clears the old one').to.equal(undefined);
  });

  it('splits a partial transfer: the new owner gets the first units, the owner keeps the rest', () => {
    const move = transferProof(proof, funder.identity, 3000, undefined, stamp(submitter, 6));
    expect(move.moved).to.include({ owner: funder.identity, quantity: 3000, parentId: proof.id });
    expect(move.remainder).to.include({ owner: submitter.identity, quantity: 6000, parentId: proof.id });
    expect(move.parent?.status).to.equal('split');
    expectCode(() => transferProof(proof, submitter.identity, 1, undefined, stamp(submitter)), 'INVALID_ARGUMENT');
  });

  it('retires whole or part; retired quantities never move again', () => {
    const whole = retireProof(proof, 9000, 'Ville de Lyon', 'commute 2026', stamp(submitter, 6)).moved;
    expect(whole.retirement).to.deep.equal({ beneficiary: 'Ville de Lyon', purpose: 'commute 2026', txId: 'tx6', timestamp: stamp(submitter, 6).timestamp });
    const part = retireProof(proof, 1000, 'Ville de Lyon', 'commute 2026', stamp(submitter, 6));
    expect(part.moved).to.include({ status: 'retired', quantity: 1000 });
    expect(part.remainder).to.include({ status: 'active', quantity: 8000 });
    for (const retired of [whole, part.moved]) {
      expectCode(() => assertOwnerMayMove(retired, submitter), 'PROOF_RETIRED');
      expectCode(() => assertOwnerMayMove(retired, funder), 'PROOF_RETIRED');
    }
    expectCode(() => assertOwnerMayMove(part.parent!, submitter), 'INVALID_STATE_TRANSITION');
    expectCode(() => retireProof(proof, 1, '', 'why', stamp(submitter)), 'INVALID_ARGUMENT');
  });

  it('lets only the owner move, and only what the proof holds', () => {
    assertOwnerMayMove(proof, submitter);
    expectCode(() => assertOwnerMayMove(proof, funder), 'NOT_OWNER');
    expect(moveQuantity(proof, '9000')).to.equal(9000);
    expectCode(() => moveQuantity(proof, '9001'), 'INSUFFICIENT_QUANTITY');
    for (const bad of ['0', '-1', '1.5', 'all', '']) expectCode(() => moveQuantity(proof, bad), 'INVALID_ARGUMENT');
  });

  it('parses prices as integer minor units with an ISO 4217 currency', () => {
    expect(parsePrice('')).to.equal(undefined);
    expect(parsePrice('{"amount":4500,"currency":"EUR"}')).to.deep.equal({ amount: 4500, currency: 'EUR' });
    for (const bad of ['{"amount":45.5,"currency":"EUR"}', '{"amount":1,"currency":"eur"}', '{"amount":-1,"currency":"EUR"}', '{"amount":1}', '[]', 'EUR 5', '{"amount":1,"currency":"EUR","note":1}']) {
      expectCode(() => parsePrice(bad), 'INVALID_ARGUMENT');
    }
  });
});
