/**
 * Anti-collusion rules of a protocol version, through the contracts on the in-memory peer:
 * approvals of one organisation alone never verify a claim when `minVerifierOrgs` is 2, and a
 * validator of the submitter's organisation is refused (SAME_ORG_VALIDATOR) unless the protocol
 * sets `validatorFromOtherOrg: false`.
 */
import '../../helpers/quiet-logs';
import { expect } from 'chai';
import { buildCast, claimDoc, hashOf, protocolDoc, registerAndActivate, submitClaimOk, type Cast, type TestProtocol } from '../../helpers/cast';
import type { Member } from '../../helpers/fake-fabric';

interface Claim { id: string; status: string; approvals: number; rejections: number }

describe('contract claims: anti-collusion rules (in-memory peer)', () => {
  let c: Cast;
  beforeEach(async () => {
    c = await buildCast();
  });

  const verify = (member: Member, claimId: string, decision: 'approve' | 'reject') =>
    c.net.invoke<Claim>(member, 'claims:Verify', claimId, decision, decision === 'approve' ? '100' : '0', hashOf(`report-${member.label}`));

  it('does not verify on k approvals of one organisation; an approval of a second one verifies', async () => {
    const claim = await submitClaimOk<Claim>(c.net, c.submitter1, await claimDoc(c.p1));
    expect((await verify(c.verB, claim.id, 'approve')).result.status).to.equal('submitted');
    const sameOrg = await verify(c.verC, claim.id, 'approve');
    expect(sameOrg.result, 'two Org3 approvals reach k = 2 but one organisation only').to.include({ status: 'submitted', approvals: 2 });
    expect(sameOrg.events.map((e) => e.name)).to.deep.equal(['VerificationRecorded']);
    expect((await c.net.invoke(c.validator1, 'claims:Validate', claim.id, '100')).error?.code).to.equal('CLAIM_NOT_VERIFIED');
    const second = await verify(c.verA, claim.id, 'approve');
    expect(second.result).to.include({ status: 'verified', approvals: 3 });
  });

  it('rejects the claim, freeing its days, once no second organisation can approve', async () => {
    const doc = await claimDoc(c.p1, { periodStart: '2026-10-01', periodEnd: '2026-10-31' });
    const claim = await submitClaimOk<Claim>(c.net, c.submitter1, doc);
    await verify(c.verB, claim.id, 'approve');
    await verify(c.verC, claim.id, 'approve');
    const last = await verify(c.verA, claim.id, 'reject');
    expect(last.result).to.include({ status: 'rejected', approvals: 2, rejections: 1 });
    expect(last.events.map((e) => e.name)).to.deep.equal(['ClaimRejected']);
    expect(c.net.world.read('il.days', 'commute-modal-shift', String(doc.subjectPseudonym), '2026-10')).to.equal(undefined);
  });

  async function verifiedClaimOf(protocol: TestProtocol, subject: string): Promise<string> {
    const claim = await submitClaimOk<Claim>(c.net, c.submitter1, await claimDoc(protocol, { subject }));
    await c.net.ok(c.verA, 'claims:Verify', claim.id, 'approve', '100', hashOf('a'));
    await c.net.ok(c.verB, 'claims:Verify', claim.id, 'approve', '100', hashOf('b'));
    return claim.id;
  }

  function activeProtocol(id: string, overrides: Record<string, unknown>): Promise<TestProtocol> {
    return registerAndActivate(c.net, c.op1, protocolDoc({
      id, category: id, verifiers: [c.verA.identity, c.verB.identity], quorum: 2, minVerifierOrgs: 2,
      validators: [c.validator2.identity, c.validator1.identity], ...overrides,
    }));
  }

  it('refuses a validator of the submitter\'s organisation (SAME_ORG_VALIDATOR), writing nothing', async () => {
    const protocol = await activeProtocol('other-org-validator', {});
    const claimId = await verifiedClaimOf(protocol, 'carol');
    const before = new Map(c.net.world.entries);
    const refused = await c.net.invoke(c.validator2, 'claims:Validate', claimId, '100');
    expect(refused.error?.code, 'validator2 belongs to Org1, like submitter1').to.equal('SAME_ORG_VALIDATOR');
    expect(refused.error?.details).to.deep.equal({ submitterMsp: 'Org1MSP' });
    expect(c.net.world.entries).to.deep.equal(before);
    expect((await c.net.invoke(c.validator1, 'claims:Validate', claimId, '100')).ok, 'validator1 belongs to Org3').to.equal(true);
  });

  it('admits a validator of the submitter\'s organisation when the protocol sets validatorFromOtherOrg false', async () => {
    const protocol = await activeProtocol('same-org-validator', { validatorFromOtherOrg: false });
    const claimId = await verifiedClaimOf(protocol, 'dave');
    const validated = await c.net.invoke(c.validator2, 'claims:Validate', claimId, '100');
    expect(validated.ok, validated.message).to.equal(true);
  });

  it('refuses a protocol whose minVerifierOrgs its verifiers cannot meet', async () => {
    const refused = await c.net.invoke(c.op1, 'protocols:Register', JSON.stringify(protocolDoc({
      id: 'one-org', verifiers: [c.verB.identity, c.verC.identity], quorum: 2, minVerifierOrgs: 2, validators: [c.validator1.identity],
    })));
    expect(refused.error?.code).to.equal('INVALID_ARGUMENT');
    expect(refused.error?.details?.field).to.equal('minVerifierOrgs');
  });
});
