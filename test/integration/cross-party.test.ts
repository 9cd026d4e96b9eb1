/**
 * Rules that protect one organisation or user from another, on the real network (endorsed by the
 * chaincode on every organisation's peer, no gateway in between): a protocol id belongs to the MSP
 * that registered its first version and keeps its category; campaigns pay only the versions they
 * name; a settled proof moves to the funder and is never sold again; the submitter of a claim
 * never validates it; a subject schema that does not compile is never registered.
 */
import { expect } from 'chai';
import { evaluate, expectRefusal, submit } from '../helpers/ledger';
import { claimFor, getWorld, protocolDraft, randomHash, submitClaim, uniqueSlug, type Member, type World } from './world';

interface Protocol { id: string; version: number; category: string }
interface Proof { id: string; owner: string; status: string; settlement?: { campaignId: string; funder: string } }
interface Move { moved: Proof; remainder?: Proof }

describe('cross-party rules (real Fabric network)', function () {
  this.timeout(180_000);
  let w: World;
  let v1: Protocol;
  let draft: ReturnType<typeof protocolDraft>;

  /** A proof of `protocol` submitted by `submitter`, verified by Org2/Org3 User2, validated by `validator`. */
  async function proofOf(protocol: Protocol, submitter: Member, validator: Member, quantity = 5000): Promise<Proof> {
    const claim = await submitClaim<{ id: string }>(submitter.actor, await claimFor(protocol, { quantity }));
    for (const verifier of [w.user(2, 2), w.user(3, 2)]) await submit(verifier.actor, 'claims:Verify', claim.result.id, 'approve', String(quantity), randomHash());
    return (await submit<Proof>(validator.actor, 'claims:Validate', claim.result.id, String(quantity))).result;
  }

  before(async () => {
    w = await getWorld();
    draft = protocolDraft({ verifiers: [w.user(2, 2).identity, w.user(3, 2).identity], quorum: 2, validators: [w.user(1, 4).identity, w.user(2, 4).identity] });
    await submit(w.operators[0].actor, 'protocols:Register', JSON.stringify(draft));
    v1 = (await submit<Protocol>(w.operators[0].actor, 'protocols:Activate', draft.id, '1')).result;
  });

  it('refuses another MSP a version of Org1\'s protocol (PROTOCOL_NOT_OWNED) and Org1 a version in another category (PROTOCOL_CATEGORY_CHANGED)', async () => {
    const takeover = { ...draft, version: 2, verifiers: [w.user(3, 2).identity], quorum: 1, minVerifierOrgs: 1, validators: [w.user(3, 4).identity] };
    const refused = await expectRefusal(submit(w.operators[2].actor, 'protocols:Register', JSON.stringify(takeover)), 'PROTOCOL_NOT_OWNED');
    expect(refused.details).to.deep.include({ protocolId: draft.id, ownerMsp: 'Org1MSP' });
    await expectRefusal(submit(w.operators[0].actor, 'protocols:Register', JSON.stringify({ ...draft, version: 2, category: uniqueSlug('other') })), 'PROTOCOL_CATEGORY_CHANGED');
    const versions = await evaluate<{ records: Protocol[] }>(w.user(1, 1).actor, 'protocols:ListVersions', draft.id, '10', '');
    expect(versions.records.map((v) => v.version)).to.deep.equal([1]);
  });

  it('pays only the versions a campaign names: a version added after it opened is NOT_ELIGIBLE', async () => {
    const funder = w.user(1, 5);
    const campaignId = uniqueSlug('versions');
    const opened = await submit<{ criteria: { protocolVersions: Record<string, number[]> } }>(funder.actor, 'campaigns:Open', JSON.stringify({
      id: campaignId, name: 'versions', protocols: [draft.id], currency: 'EUR', budget: 1_000_000, pricePerUnit: 1,
      criteria: { periodStart: '2026-01-01', periodEnd: '2026-12-31' },
    }));
    expect(opened.result.criteria.protocolVersions).to.deep.equal({ [draft.id]: [1] });
    await submit(w.operators[0].actor, 'protocols:Register', JSON.stringify({ ...draft, version: 2 }));
    await submit(w.operators[0].actor, 'protocols:Activate', draft.id, '2');
    const later = await proofOf({ ...v1, version: 2 }, w.user(1, 1), w.user(2, 4));
    const refused = await expectRefusal(submit(funder.actor, 'campaigns:Settle', campaignId, later.id), 'NOT_ELIGIBLE');
    expect(refused.details).to.deep.equal({ criterion: 'protocolVersion' });
  });

  it('moves a settled proof to the funder: the seller cannot sell or retire it, nobody transfers it (PROOF_SETTLED), the funder retires it', async () => {
    const funder = w.user(1, 5);
    const seller = w.user(1, 1);
    const campaignId = uniqueSlug('settled');
    await submit(funder.actor, 'campaigns:Open', JSON.stringify({
      id: campaignId, name: 'settled', protocols: [draft.id], currency: 'EUR', budget: 1_000_000, pricePerUnit: 1,
      criteria: { periodStart: '2026-01-01', periodEnd: '2026-12-31', protocolVersions: { [draft.id]: [1] } },
    }));
    const proof = await proofOf(v1, seller, w.user(2, 4), 6000);
    await submit(funder.actor, 'campaigns:Settle', campaignId, proof.id);
    const after = await evaluate<Proof>(seller.actor, 'proofs:Get', proof.id);
    expect(after.owner).to.equal(funder.identity);
    expect(after.settlement).to.deep.include({ campaignId, funder: funder.identity });
    const buyer = w.user(2, 5);
    await expectRefusal(submit(seller.actor, 'proofs:Transfer', proof.id, buyer.identity, '6000', '{"amount":500,"currency":"EUR"}'), 'NOT_OWNER');
    await expectRefusal(submit(seller.actor, 'proofs:Retire', proof.id, '6000', 'someone else', 'offset'), 'NOT_OWNER');
    await expectRefusal(submit(funder.actor, 'proofs:Transfer', proof.id, buyer.identity, '1000', ''), 'PROOF_SETTLED');
    expect((await evaluate<{ campaignId: string }>(buyer.actor, 'campaigns:SettlementOf', proof.id)).campaignId).to.equal(campaignId);
    const retired = await submit<Move>(funder.actor, 'proofs:Retire', proof.id, '6000', 'Org1 mobility campaign', 'campaign impact');
    expect(retired.result.moved.status).to.equal('retired');
  });

  it('refuses the submitter of a claim as its validator even when it holds the validator role (CONFLICT_OF_INTEREST)', async () => {
    const dual = w.user(2, 4);
    await submit(w.operators[1].actor, 'roles:Grant', dual.identity, 'submitter');
    try {
      const claim = await submitClaim<{ id: string }>(dual.actor, await claimFor(v1, { quantity: 700 }));
      for (const verifier of [w.user(2, 2), w.user(3, 2)]) await submit(verifier.actor, 'claims:Verify', claim.result.id, 'approve', '700', randomHash());
      await expectRefusal(submit(dual.actor, 'claims:Validate', claim.result.id, '700'), 'CONFLICT_OF_INTEREST');
      await submit(w.user(1, 4).actor, 'claims:Validate', claim.result.id, '700'); // another designated validator may
    } finally {
      await submit(w.operators[1].actor, 'roles:Revoke', dual.identity, 'submitter');
    }
  });

  it('never registers a protocol whose subject schema does not compile (INVALID_PROTOCOL_SCHEMA)', async () => {
    const broken = protocolDraft({
      verifiers: [w.user(2, 2).identity], quorum: 1, minVerifierOrgs: 1, validators: [w.user(1, 4).identity],
      subjectSchema: { type: 'object', properties: { quantity: { type: 'integr' } } },
    });
    await expectRefusal(submit(w.operators[0].actor, 'protocols:Register', JSON.stringify(broken)), 'INVALID_PROTOCOL_SCHEMA');
    await expectRefusal(evaluate(w.user(1, 1).actor, 'protocols:Get', broken.id, '1'), 'NOT_FOUND');
  });
});
