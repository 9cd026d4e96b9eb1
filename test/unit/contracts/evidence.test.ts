/** claims:Submit checks a claim's evidence against its declared level and stores its additionality (in-memory peer). */
import type { Claim } from '@impact-ledger/chaincode/domain';
import { expect } from 'chai';
import { buildCast, claimDoc, expectClaimRefused, hashOf, protocolDoc, registerAndActivate, submitClaim, type Cast, type ClaimDoc, type TestProtocol } from '../../helpers/cast';

const EVIDENCE = { declared: ['trace'], computed: ['computation'], verified: ['attestation'] };

/** `doc` with its public argument changed. */
function withArgs(doc: ClaimDoc, changes: Record<string, unknown>): ClaimDoc {
  return { ...doc, args: JSON.stringify({ ...(JSON.parse(doc.args) as Record<string, unknown>), ...changes }) };
}

describe('contract claims: evidence levels and additionality (in-memory peer)', function () {
  this.timeout(30_000);
  let c: Cast;
  let protocol: TestProtocol;
  before(async () => {
    c = await buildCast();
    protocol = await registerAndActivate(c.net, c.op1, protocolDoc({
      id: 'evidence-levels', category: 'evidence-levels', evidence: EVIDENCE, verifiers: [c.verA.identity], validators: [c.validator1.identity],
    }));
  });

  it('refuses at endorsement, writing nothing, a claim whose evidence does not meet its declared level (EVIDENCE_INSUFFICIENT)', async () => {
    const doc = await claimDoc(protocol, { subject: 'eve', label: 'short' });
    await expectClaimRefused(c.net, c.submitter1, withArgs(doc, { proofLevel: 'verified', evidence: { trace: hashOf('t'), computation: hashOf('c') } }), 'EVIDENCE_INSUFFICIENT');
    await expectClaimRefused(c.net, c.submitter1, withArgs(doc, { proofLevel: 'declared' }), 'EVIDENCE_INSUFFICIENT');
  });

  it('anchors a claim whose evidence meets its level, with its additionality record', async () => {
    const doc = await claimDoc(protocol, { subject: 'fay', label: 'full' });
    const outcome = await submitClaim<Claim>(c.net, c.submitter1, withArgs(doc, {
      proofLevel: 'verified', evidence: { trace: hashOf('t'), computation: hashOf('c'), attestation: hashOf('a') }, additionality: { baseline: 900, counterfactual: 100 },
    }));
    expect(outcome.ok, outcome.message).to.equal(true);
    expect(outcome.result?.proofLevel).to.equal('verified');
    expect(outcome.result?.evidence).to.deep.equal({ attestation: hashOf('a'), computation: hashOf('c'), trace: hashOf('t') });
    expect(outcome.result?.additionality).to.include({ baseline: 900, counterfactual: 100, methodHash: hashOf('method') });
  });
});
