/** The pure cross-party rules: protocol versions, settled proofs, conflicts of interest, subject schemas. */
import { expect } from 'chai';
import {
  assertMayAddVersion, assertMayValidate, assertSettledMayMove, assertSubjectSchemaCompiles, castVote, issueProof, newClaimSubmission, newProtocolDefinition,
  newVote, openClaim, registerProtocol, retireProof, settleToFunder, transitionProtocol, withStatus,
} from '@impact-ledger/chaincode/domain';
import { callerOf, claimInput, expectCode, HASH_C, org1Operator, org2Operator, protocolInput, stamp, submitter, validator, verifiers } from '../../helpers/domain-fixtures';

const v1 = transitionProtocol(registerProtocol(newProtocolDefinition(protocolInput()), org1Operator, stamp(org1Operator)), 'active', stamp(org1Operator, 2));
const claim = openClaim(newClaimSubmission(claimInput()), v1, submitter, stamp(submitter, 3));
const votes = [0, 1].map((i) => castVote(claim, newVote('approve', '9000', HASH_C, claim.quantity), v1, verifiers[i]!, stamp(verifiers[i]!, 4), []).verification);
const proof = issueProof(withStatus(claim, 'verified', stamp(submitter)), v1, votes, 9000, validator, stamp(validator, 5));
const funder = callerOf('Org2MSP', 'User5@org2');

describe('cross-party rules (domain)', () => {
  it('assertMayAddVersion: the first version\'s MSP owns the id; a new version keeps its category', () => {
    const v2 = newProtocolDefinition(protocolInput({ version: 2 }));
    expect(() => assertMayAddVersion(v2, [], org2Operator)).to.not.throw();
    expect(() => assertMayAddVersion(v2, [v1], org1Operator)).to.not.throw();
    expect(expectCode(() => assertMayAddVersion(v2, [v1], org2Operator), 'PROTOCOL_NOT_OWNED').details).to.deep.include({ ownerMsp: 'Org1MSP' });
    expectCode(() => assertMayAddVersion(newProtocolDefinition(protocolInput({ version: 2, category: 'other' })), [v1], org1Operator), 'PROTOCOL_CATEGORY_CHANGED');
    const v3ByOrg2 = { ...v1, version: 3, ownerMsp: 'Org2MSP' };
    expectCode(() => assertMayAddVersion(v2, [v3ByOrg2, v1], org2Operator), 'PROTOCOL_NOT_OWNED');
  });

  it('settleToFunder: the funder owns the settled proof; its units never transfer, only the funder retires them (children inherit)', () => {
    const settled = settleToFunder(proof, { id: 'bikes', funder: funder.identity }, { amount: 9000, currency: 'EUR' }, stamp(funder, 6));
    expect(settled).to.deep.include({ owner: funder.identity, price: { amount: 9000, currency: 'EUR' } });
    expect(settled.lastTransfer?.from).to.equal(submitter.identity);
    expectCode(() => assertSettledMayMove(settled, funder, 'transfer'), 'PROOF_SETTLED');
    expectCode(() => assertSettledMayMove(settled, submitter, 'retire'), 'PROOF_SETTLED');
    expect(() => assertSettledMayMove(settled, funder, 'retire')).to.not.throw();
    expect(() => assertSettledMayMove(proof, submitter, 'transfer'), 'an unsettled proof').to.not.throw();
    const rest = retireProof(settled, 1000, 'campaign', 'impact', stamp(funder, 7)).remainder;
    expect(rest?.settlement?.campaignId).to.equal('bikes');
  });

  it('assertMayValidate: the submitter never validates its own claim (CONFLICT_OF_INTEREST)', () => {
    const verified = withStatus(claim, 'verified', stamp(submitter, 6));
    expectCode(() => assertMayValidate(verified, submitter, votes, v1), 'CONFLICT_OF_INTEREST');
    expectCode(() => assertMayValidate(verified, verifiers[0]!, votes, v1), 'CONFLICT_OF_INTEREST');
    expect(() => assertMayValidate(verified, validator, votes, v1)).to.not.throw();
  });

  it('assertSubjectSchemaCompiles: ajv 2020 strict with formats, as the gateway compiles it', () => {
    expect(() => assertSubjectSchemaCompiles({ type: 'object', properties: { day: { type: 'string', format: 'date' } }, required: ['day'] })).to.not.throw();
    expectCode(() => assertSubjectSchemaCompiles({ type: 'object', required: ['quantity'] }), 'INVALID_PROTOCOL_SCHEMA');
    expectCode(() => assertSubjectSchemaCompiles({ $ref: 'https://schemas.example/subject.json' }), 'INVALID_PROTOCOL_SCHEMA');
  });
});
