import { expect } from 'chai';
import {
  assertActive, assertOwnerOperator, newProtocolDefinition, registerProtocol, transitionProtocol, type ProtocolStatus,
} from '@impact-ledger/chaincode/domain';
import { expectCode, org1Operator, org2Operator, protocolInput, stamp, submitter, validator, verifiers } from '../../helpers/domain-fixtures';

describe('protocol definition', () => {
  it('accepts a valid protocol, sorting SDG targets in UN order and keeping factor values as strings', () => {
    const definition = newProtocolDefinition(protocolInput({
      sdgTargets: ['13.a', '13.2', '11.2', '3.6'],
      additionality: { method: { baseline: 'b', counterfactual: 'c', emissionFactors: [{ name: 'car', value: 0.218, unit: 'kg/km', source: 's' }] } },
    }));
    expect(definition.sdgTargets).to.deep.equal(['3.6', '11.2', '13.2', '13.a']);
    expect(definition.additionality).to.deep.equal({ method: { baseline: 'b', counterfactual: 'c', emissionFactors: [{ name: 'car', value: '0.218', unit: 'kg/km', source: 's' }] } });
    expect(newProtocolDefinition(protocolInput({ subjectSchema: undefined, subjectSchemaHash: 'f'.repeat(64), additionality: { hash: 'e'.repeat(64) } })).subjectSchemaHash).to.equal('f'.repeat(64));
  });

  it('defaults the anti-collusion rules to two approving organisations and a validator of another organisation', () => {
    const definition = newProtocolDefinition(protocolInput());
    expect(definition).to.include({ minVerifierOrgs: 2, validatorFromOtherOrg: true });
    const relaxed = newProtocolDefinition(protocolInput({ verifiers: [verifiers[1].identity], quorum: 1, minVerifierOrgs: 1, validatorFromOtherOrg: false }));
    expect(relaxed).to.include({ minVerifierOrgs: 1, validatorFromOtherOrg: false });
  });

  const refusals: [string, Record<string, unknown>, string][] = [
    ['id not a slug', { id: 'Commute_Shift' }, 'id'],
    ['id missing', { id: undefined }, 'id'],
    ['version 0', { version: 0 }, 'version'],
    ['version as string', { version: '1' }, 'version'],
    ['version float', { version: 1.5 }, 'version'],
    ['empty title', { title: '' }, 'title'],
    ['category not a slug', { category: 'Commute Shift' }, 'category'],
    ['pillar D', { pillar: 'D' }, 'pillar'],
    ['no SDG targets', { sdgTargets: [] }, 'sdgTargets'],
    ['SDG target malformed', { sdgTargets: ['13'] }, 'sdgTargets[0]'],
    ['SDG target twice', { sdgTargets: ['13.2', '13.2'] }, 'sdgTargets'],
    ['unknown proof level', { minProofLevel: 'audited' }, 'minProofLevel'],
    ['no verifiers', { verifiers: [] }, 'verifiers'],
    ['verifier twice', { verifiers: [verifiers[0].identity, verifiers[0].identity] }, 'verifiers'],
    ['verifier not an identity', { verifiers: ['alice'] }, 'verifiers[0]'],
    ['quorum 0', { quorum: 0 }, 'quorum'],
    ['quorum above n', { quorum: 4 }, 'quorum'],
    ['minVerifierOrgs 0', { minVerifierOrgs: 0 }, 'minVerifierOrgs'],
    ['minVerifierOrgs above the verifiers\' MSPs', { quorum: 3, minVerifierOrgs: 3 }, 'minVerifierOrgs'],
    ['minVerifierOrgs above the quorum', { quorum: 1, minVerifierOrgs: 2 }, 'minVerifierOrgs'],
    ['default minVerifierOrgs with verifiers of one MSP', { verifiers: [verifiers[1].identity, verifiers[2].identity] }, 'minVerifierOrgs'],
    ['minVerifierOrgs as string', { minVerifierOrgs: '2' }, 'minVerifierOrgs'],
    ['validatorFromOtherOrg not a boolean', { validatorFromOtherOrg: 'yes' }, 'validatorFromOtherOrg'],
    ['no validators', { validators: [] }, 'validators'],
    ['validator is a verifier', { validators: [verifiers[1].identity] }, 'validators'],
    ['no trusted issuers', { trustedIssuers: [] }, 'trustedIssuers'],
    ['issuer keys of an untrusted issuer', { issuerKeys: [{ controller: 'https://vc.example/other', keys: [{ id: 'https://vc.example/other#k', publicKeyMultibase: 'z6Mk' }] }] }, 'issuerKeys[0].controller'],
    ['issuer keys without keys', { trustedIssuers: ['https://vc.example/i'], issuerKeys: [{ controller: 'https://vc.example/i', keys: [] }] }, 'issuerKeys[0].keys'],
    ['issuer keys with an unknown field', { trustedIssuers: ['https://vc.example/i'], issuerKeys: [{ controller: 'https://vc.example/i', keys: [], extra: 1 }] }, 'issuerKeys[0].extra'],
    ['schema and hash', { subjectSchemaHash: 'f'.repeat(64) }, 'subjectSchema'],
    ['neither schema nor hash', { subjectSchema: undefined }, 'subjectSchema'],
    ['schema not an object', { subjectSchema: [] }, 'subjectSchema'],
    ['bad schema hash', { subjectSchema: undefined, subjectSchemaHash: 'F'.repeat(64) }, 'subjectSchemaHash'],
    ['no quantity field', { quantityField: '' }, 'quantityField'],
    ['period fields equal', { periodFields: { start: 'p', end: 'p' } }, 'periodFields'],
    ['period field missing', { periodFields: { start: 'p' } }, 'periodFields.end'],
    ['additionality both', { additionality: { hash: 'e'.repeat(64), method: {} } }, 'additionality'],
    ['factor value not numeric', { additionality: { method: { baseline: 'b', counterfactual: 'c', emissionFactors: [{ name: 'n', value: 'lots', unit: 'u', source: 's' }] } } }, 'additionality.method.emissionFactors[0].value'],
    ['unknown field', { owner: 'me' }, 'protocol.owner'],
  ];
  for (const [name, overrides, field] of refusals) {
    it(`refuses ${name}, naming ${field}`, () => {
      const error = expectCode(() => newProtocolDefinition(protocolInput(overrides)), 'INVALID_ARGUMENT');
      expect(error.details?.field).to.equal(field);
      expect(error.message).to.contain(field);
    });
  }
});

describe('protocol lifecycle', () => {
  const draft = registerProtocol(newProtocolDefinition(protocolInput()), org1Operator, stamp(org1Operator, 1));

  function walk(...steps: ProtocolStatus[]): ProtocolStatus {
    return steps.reduce((p, to, i) => transitionProtocol(p, to, stamp(org1Operator, i + 2)), draft).status;
  }

  it('registers as draft owned by the operator MSP; only operators register', () => {
    expect(draft.status).to.equal('draft');
    expect(draft.ownerMsp).to.equal('Org1MSP');
    expectCode(() => registerProtocol(newProtocolDefinition(protocolInput()), submitter, stamp(submitter)), 'FORBIDDEN_ROLE');
  });

  it('allows draft -> active <-> suspended -> retired and draft -> retired', () => {
    expect(walk('active', 'suspended', 'active', 'suspended', 'retired')).to.equal('retired');
    expect(walk('active', 'retired')).to.equal('retired');
    expect(walk('retired')).to.equal('retired');
  });

  it('refuses every other transition', () => {
    const refused: ProtocolStatus[][] = [['suspended'], ['draft'], ['active', 'active'], ['active', 'draft'], ['retired', 'active'], ['retired', 'retired'], ['active', 'suspended', 'suspended'], ['active', 'suspended', 'draft']];
    for (const steps of refused) expectCode(() => walk(...steps), 'INVALID_STATE_TRANSITION');
  });

  it('records the first activation and every step', () => {
    const p = ['active', 'suspended', 'active'].reduce((acc, to, i) => transitionProtocol(acc, to as ProtocolStatus, stamp(org1Operator, i + 2)), draft);
    expect(p.activation?.txId).to.equal('tx2');
    expect(p.lifecycle.map((s) => s.status)).to.deep.equal(['draft', 'active', 'suspended', 'active']);
  });

  it('lets only operators of the owner MSP manage it, and only active protocols take claims', () => {
    assertOwnerOperator(org1Operator, draft);
    expectCode(() => assertOwnerOperator(org2Operator, draft), 'FOREIGN_MSP');
    expectCode(() => assertOwnerOperator(validator, draft), 'FORBIDDEN_ROLE');
    expectCode(() => assertActive(draft, 'submitting'), 'PROTOCOL_NOT_ACTIVE');
    assertActive(transitionProtocol(draft, 'active', stamp(org1Operator)), 'submitting');
  });
});
