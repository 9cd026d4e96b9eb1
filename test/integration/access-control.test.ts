/**
 * Access control with real X.509 identities: the chaincode itself refuses role abuse, whatever
 * the client sends, and a refused transaction changes nothing.
 */
import { expect } from 'chai';
import { evaluate, expectRefusal, submit } from '../helpers/ledger';
import { claimFor, getWorld, protocolDraft, randomHash, submitClaim, uniqueSlug, type World } from './world';

interface Protocol { id: string; version: number; category: string }
interface Claim { id: string; status: string }

describe('access control and uniqueness on the real network', function () {
  this.timeout(120_000);
  let w: World;
  let protocol: Protocol;

  before(async () => {
    w = await getWorld();
    const draft = protocolDraft({
      verifiers: [w.user(2, 2).identity, w.user(3, 2).identity, w.user(3, 3).identity],
      quorum: 2,
      validators: [w.user(2, 4).identity],
    });
    await submit(w.operators[0].actor, 'protocols:Register', JSON.stringify(draft));
    protocol = (await submit<Protocol>(w.operators[0].actor, 'protocols:Activate', draft.id, '1')).result;
  });

  it('refuses a submitter acting as a verifier', async () => {
    const claim = (await submitClaim<Claim>(w.user(1, 1).actor, await claimFor(protocol))).result;
    await expectRefusal(submit(w.user(1, 1).actor, 'claims:Verify', claim.id, 'approve', '1', randomHash()), 'FORBIDDEN_ROLE');
    const after = await evaluate<Claim>(w.user(1, 1).actor, 'claims:Get', claim.id);
    expect(after.status).to.equal('submitted');
  });

  it("refuses an org2 operator granting a role to an org1 identity", async () => {
    const refusal = await expectRefusal(
      submit(w.operators[1].actor, 'roles:Grant', w.user(1, 5).identity, 'verifier'), 'FOREIGN_MSP');
    expect(refusal.message).to.contain('Org1MSP');
    const who = await evaluate<{ roles: string[] }>(w.user(1, 5).actor, 'roles:WhoAmI');
    expect(who.roles).to.not.include('verifier');
  });

  it('refuses a member (not an operator) granting roles', async () => {
    await expectRefusal(submit(w.user(1, 1).actor, 'roles:Grant', w.user(1, 2).identity, 'validator'), 'FORBIDDEN_ROLE');
  });

  it('refuses a double vote by the same verifier', async () => {
    const claim = (await submitClaim<Claim>(w.user(1, 1).actor, await claimFor(protocol))).result;
    await submit(w.user(2, 2).actor, 'claims:Verify', claim.id, 'approve', '100', randomHash());
    await expectRefusal(submit(w.user(2, 2).actor, 'claims:Verify', claim.id, 'approve', '100', randomHash()), 'ALREADY_VERIFIED');
    const votes = await evaluate<unknown[]>(w.user(1, 1).actor, 'claims:Verifications', claim.id);
    expect(votes).to.have.length(1);
  });

  it('refuses a verifier who is not designated by the protocol', async () => {
    const claim = (await submitClaim<Claim>(w.user(1, 1).actor, await claimFor(protocol))).result;
    await expectRefusal(submit(w.user(2, 3).actor, 'claims:Verify', claim.id, 'approve', '100', randomHash()), 'NOT_DESIGNATED');
  });

  it('refuses a replayed credential', async () => {
    const draft = await claimFor(protocol);
    await submitClaim(w.user(1, 1).actor, draft);
    await expectRefusal(submitClaim(w.user(2, 1).actor, draft), 'CREDENTIAL_REPLAYED');
  });

  it('refuses double counting across sub-networks and protocols, naming the conflicting claim', async () => {
    // Org2 runs its own protocol for the same impact category.
    const org2Draft = protocolDraft({
      id: uniqueSlug('org2-commute'),
      category: protocol.category,
      verifiers: [w.user(1, 2).identity],
      quorum: 1,
      minVerifierOrgs: 1,
      validators: [w.user(1, 4).identity],
    });
    await submit(w.operators[1].actor, 'protocols:Register', JSON.stringify(org2Draft));
    await submit(w.operators[1].actor, 'protocols:Activate', org2Draft.id, '1');

    const subject = `person-${randomHash().slice(0, 12)}`;
    const org1Claim = (await submitClaim<Claim>(w.user(1, 1).actor,
      await claimFor(protocol, { subject, periodStart: '2026-05-01', periodEnd: '2026-05-31' }))).result;
    // Org2's claim for the same person overlaps org1's by one day (May 31).
    const org2Protocol = { id: org2Draft.id, version: 1, category: protocol.category };
    const overlapping = await claimFor(org2Protocol, { subject, periodStart: '2026-05-31', periodEnd: '2026-06-30' });
    const refusal = await expectRefusal(submitClaim(w.user(2, 1).actor, overlapping), 'DOUBLE_COUNTING');
    expect(JSON.stringify(refusal.details)).to.contain(org1Claim.id);
    expect(JSON.stringify(refusal.details)).to.contain('2026-05-31');

    // One day later does not overlap: accepted.
    const adjacent = await claimFor(org2Protocol, { subject, periodStart: '2026-06-01', periodEnd: '2026-06-30' });
    const accepted = await submitClaim<Claim>(w.user(2, 1).actor, adjacent);
    expect(accepted.result.status).to.equal('submitted');
  });
});
