import { expect } from 'chai';
import {
  additionalityHashOf, assertEvidenceMeetsLevel, exportMonthOf, methodHashOf, newClaimRequest, newClaimSubmission, newProtocolDefinition, openClaim,
  registerProtocol, requiredEvidence, sha256Hex, transitionProtocol, type ProtocolRecord,
} from '@impact-ledger/chaincode/domain';
import { claimInput, expectCode, HASH_A, HASH_B, HASH_C, org1Operator, protocolInput, stamp, submitter } from '../../helpers/domain-fixtures';

const LEVELS = { declared: ['trace'], computed: ['computation'], verified: ['attestation'] };

function activeProtocol(overrides: Record<string, unknown> = {}): ProtocolRecord {
  const draft = registerProtocol(newProtocolDefinition(protocolInput({ minProofLevel: 'declared', evidence: LEVELS, ...overrides })), org1Operator, stamp(org1Operator));
  return transitionProtocol(draft, 'active', stamp(org1Operator, 2));
}

describe('evidence levels', () => {
  it('a protocol names the evidence kinds per level; a level requires its own and every weaker level\'s (sorted)', () => {
    const protocol = activeProtocol();
    expect(protocol.evidence).to.deep.equal(LEVELS);
    expect(requiredEvidence(protocol, 'declared')).to.deep.equal(['trace']);
    expect(requiredEvidence(protocol, 'computed')).to.deep.equal(['computation', 'trace']);
    expect(requiredEvidence(protocol, 'verified')).to.deep.equal(['attestation', 'computation', 'trace']);
    expect(requiredEvidence(activeProtocol({ evidence: undefined }), 'verified'), 'no evidence field: none required (as before)').to.deep.equal([]);
  });

  for (const [evidence, field] of [
    [{ gold: ['x'] }, 'evidence.gold'], [{ declared: 'trace' }, 'evidence.declared'], [{ declared: ['Trace'] }, 'evidence.declared[0]'],
    [{ declared: ['trace', 'trace'] }, 'evidence.declared'], [[], 'evidence'],
  ] as const) {
    it(`refuses protocol evidence ${JSON.stringify(evidence)} naming the field`, () => {
      const error = expectCode(() => newProtocolDefinition(protocolInput({ evidence })), 'INVALID_ARGUMENT');
      expect(String(error.details?.field ?? error.message)).to.contain(field.split('[')[0] ?? field);
    });
  }

  it('refuses (EVIDENCE_INSUFFICIENT) a claim whose evidence does not meet its declared level, naming what is missing', () => {
    const protocol = activeProtocol();
    assertEvidenceMeetsLevel(protocol, 'declared', { trace: HASH_A });
    assertEvidenceMeetsLevel(protocol, 'computed', { trace: HASH_A, computation: HASH_B });
    assertEvidenceMeetsLevel(protocol, 'verified', { trace: HASH_A, computation: HASH_B, attestation: HASH_C });
    const error = expectCode(() => assertEvidenceMeetsLevel(protocol, 'verified', { trace: HASH_A, computation: HASH_B }), 'EVIDENCE_INSUFFICIENT');
    expect(error.details).to.deep.equal({ proofLevel: 'verified', required: ['attestation', 'computation', 'trace'], missing: ['attestation'] });
    expectCode(() => assertEvidenceMeetsLevel(protocol, 'declared', undefined), 'EVIDENCE_INSUFFICIENT');
    expectCode(() => assertEvidenceMeetsLevel(protocol, 'computed', { computation: HASH_B }), 'EVIDENCE_INSUFFICIENT');
  });

  it('openClaim applies the rule (the chaincode runs it at endorsement) and keeps the named evidence', () => {
    const protocol = activeProtocol();
    expectCode(() => openClaim(newClaimSubmission(claimInput({ proofLevel: 'computed', evidence: { trace: HASH_A } })), protocol, submitter, stamp(submitter, 3)), 'EVIDENCE_INSUFFICIENT');
    const claim = openClaim(newClaimSubmission(claimInput({ proofLevel: 'computed', evidence: { trace: HASH_A, computation: HASH_B } })), protocol, submitter, stamp(submitter, 3));
    expect(claim.evidence).to.deep.equal({ computation: HASH_B, trace: HASH_A });
  });

  it('claim evidence: kinds are slugs, values sha256 hex', () => {
    const request = { protocolId: 'p', protocolVersion: 1, proofLevel: 'declared', evidenceHashes: [] };
    expectCode(() => newClaimRequest({ ...request, evidence: { 'Bad Kind': HASH_A } }), 'INVALID_ARGUMENT');
    expectCode(() => newClaimRequest({ ...request, evidence: { trace: 'abc' } }), 'INVALID_ARGUMENT');
    expectCode(() => newClaimRequest({ ...request, evidence: [HASH_A] }), 'INVALID_ARGUMENT');
    expect(newClaimRequest({ ...request, evidence: { trace: HASH_A } }).evidence).to.deep.equal({ trace: HASH_A });
  });

  it('the CSV export row of a settlement is the month its activity started in', () => {
    expect(exportMonthOf({ vintage: { start: '2026-03-05', end: '2026-04-02' } })).to.equal('2026-03');
  });
});

describe('additionality per claim', () => {
  it('stores baseline and counterfactual with the protocol method hash and the record hash', () => {
    const protocol = activeProtocol();
    const claim = openClaim(newClaimSubmission(claimInput({ proofLevel: 'declared', evidence: { trace: HASH_A }, additionality: { baseline: 12_000, counterfactual: 2_000 } })),
      protocol, submitter, stamp(submitter, 3));
    const methodHash = methodHashOf(protocol.additionality);
    expect(methodHash).to.match(/^[0-9a-f]{64}$/);
    expect(claim.additionality).to.deep.equal({
      baseline: 12_000, counterfactual: 2_000, methodHash,
      hash: sha256Hex(`{"baseline":12000,"counterfactual":2000,"methodHash":"${methodHash}"}`),
    });
    expect(additionalityHashOf({ baseline: 12_000, counterfactual: 2_000, methodHash })).to.equal(claim.additionality?.hash);
  });

  it('the method hash is the protocol\'s own when it gives one, and does not depend on field order', () => {
    expect(methodHashOf({ hash: HASH_C })).to.equal(HASH_C);
    const method = { baseline: 'b', counterfactual: 'c', emissionFactors: [{ name: 'n', value: '1', unit: 'u', source: 's' }] };
    const reordered = { emissionFactors: [{ source: 's', unit: 'u', value: '1', name: 'n' }], counterfactual: 'c', baseline: 'b' };
    expect(methodHashOf({ method })).to.equal(methodHashOf({ method: reordered }));
  });

  it('a claim without additionality stores none (compatible); bad quantities are refused naming the field', () => {
    const claim = openClaim(newClaimSubmission(claimInput({ proofLevel: 'declared', evidence: { trace: HASH_A } })), activeProtocol(), submitter, stamp(submitter, 3));
    expect(claim).to.not.have.property('additionality');
    for (const additionality of [{ baseline: -1, counterfactual: 0 }, { baseline: 1 }, { baseline: 1, counterfactual: 1.5 }, { baseline: 1, counterfactual: 1, extra: 1 }, 'x']) {
      expectCode(() => newClaimSubmission(claimInput({ additionality })), 'INVALID_ARGUMENT');
    }
  });
});
