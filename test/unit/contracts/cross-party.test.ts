/**
 * Rules that protect one organisation or user from another, enforced by the chaincode at
 * endorsement (in-memory peer): protocol ownership across versions, campaign versions, what a
 * settlement gives the funder, conflicts of interest, and subject schemas that must compile.
 */
import '../../helpers/quiet-logs';
import { expect } from 'chai';
import { buildCast, claimDoc, hashOf, protocolDoc, submitClaimOk, type Cast, type TestProtocol } from '../../helpers/cast';
import type { Member } from '../../helpers/fake-fabric';

interface Proof { id: string; quantity: number; owner: string; status: string; protocolVersion: number; settlement?: { campaignId: string; funder: string } }
interface Move { moved: Proof; remainder?: Proof; parent?: Proof }
interface Campaign { criteria: { protocolVersions: Record<string, number[]> } }

function campaignDoc(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'bikes', name: 'Bikes', protocols: ['commute'], currency: 'EUR', budget: 100_000, pricePerUnit: 1,
    criteria: { periodStart: '2026-01-01', periodEnd: '2026-12-31' }, ...overrides,
  };
}

describe('cross-party rules (in-memory peer)', () => {
  let c: Cast;
  let subjects = 0;
  beforeEach(async () => {
    c = await buildCast();
  });

  /** A validated proof of `protocol` submitted by `submitter`, verified by verA and verB (k = 2 of p1). */
  async function issue(protocol: TestProtocol, quantity = 1000, submitter: Member = c.submitter1, validator: Member = c.validator1): Promise<Proof> {
    subjects += 1;
    const claim = await submitClaimOk<{ id: string }>(c.net, submitter, await claimDoc(protocol, { subject: `subject-${subjects}`, quantity }));
    for (const verifier of [c.verA, c.verB]) await c.net.ok(verifier, 'claims:Verify', claim.id, 'approve', String(quantity), hashOf('report'));
    return c.net.ok<Proof>(validator, 'claims:Validate', claim.id, String(quantity));
  }

  function v2(overrides: Record<string, unknown> = {}): string {
    return JSON.stringify(protocolDoc({ id: 'commute', version: 2, verifiers: [c.verA.identity, c.verB.identity], quorum: 2, validators: [c.validator1.identity], ...overrides }));
  }

  describe('a protocol id belongs to the MSP that registered its first version', () => {
    it('refuses another MSP\'s operator a new version of it (PROTOCOL_NOT_OWNED), writing nothing', async () => {
      const before = new Map(c.net.world.entries);
      const refused = await c.net.invoke(c.op3, 'protocols:Register', v2({ verifiers: [c.verB.identity], quorum: 1, validators: [c.validator2.identity] }));
      expect(refused.error?.code).to.equal('PROTOCOL_NOT_OWNED');
      expect(refused.error?.details).to.deep.include({ protocolId: 'commute', ownerMsp: 'Org1MSP' });
      expect(c.net.world.entries).to.deep.equal(before);
    });

    it('refuses a new version that changes the impact category (PROTOCOL_CATEGORY_CHANGED); the owner adds one that keeps it', async () => {
      const changed = await c.net.invoke(c.op1, 'protocols:Register', v2({ category: 'other-category' }));
      expect(changed.error?.code).to.equal('PROTOCOL_CATEGORY_CHANGED');
      expect(changed.error?.details).to.deep.include({ category: 'commute-modal-shift', requested: 'other-category' });
      const kept = await c.net.invoke<{ ownerMsp: string }>(c.op1, 'protocols:Register', v2());
      expect(kept.ok, kept.message).to.equal(true);
      expect(kept.result.ownerMsp).to.equal('Org1MSP');
    });
  });

  describe('campaigns name the protocol versions they pay for', () => {
    it('pins a campaign that names only protocol ids to the versions registered when it opens; a later version is NOT_ELIGIBLE', async () => {
      const opened = await c.net.ok<Campaign>(c.funder, 'campaigns:Open', JSON.stringify(campaignDoc()));
      expect(opened.criteria.protocolVersions).to.deep.equal({ commute: [1] });
      await c.net.ok(c.op1, 'protocols:Register', v2());
      await c.net.ok(c.op1, 'protocols:Activate', 'commute', '2');
      const proof = await issue({ id: 'commute', version: 2, category: c.p1.category });
      const refused = await c.net.invoke(c.funder, 'campaigns:Settle', 'bikes', proof.id);
      expect([refused.error?.code, refused.error?.details]).to.deep.equal(['NOT_ELIGIBLE', { criterion: 'protocolVersion' }]);
      const v1 = await issue(c.p1);
      expect((await c.net.invoke(c.funder, 'campaigns:Settle', 'bikes', v1.id)).ok).to.equal(true);
    });

    it('pays only the versions it names explicitly, and refuses versions of protocols it does not name', async () => {
      await c.net.ok(c.op1, 'protocols:Register', v2());
      await c.net.ok(c.op1, 'protocols:Activate', 'commute', '2');
      const opened = await c.net.ok<Campaign>(c.funder, 'campaigns:Open', JSON.stringify(campaignDoc({ criteria: { periodStart: '2026-01-01', periodEnd: '2026-12-31', protocolVersions: { commute: [2] } } })));
      expect(opened.criteria.protocolVersions).to.deep.equal({ commute: [2] });
      const v1 = await issue(c.p1);
      expect((await c.net.invoke(c.funder, 'campaigns:Settle', 'bikes', v1.id)).error?.details).to.deep.equal({ criterion: 'protocolVersion' });
      const bad = await c.net.invoke(c.funder, 'campaigns:Open', JSON.stringify(campaignDoc({ id: 'x', criteria: { periodStart: '2026-01-01', periodEnd: '2026-12-31', protocolVersions: { solar: [1] } } })));
      expect(bad.error?.code).to.equal('INVALID_ARGUMENT');
      const none = await c.net.invoke(c.funder, 'campaigns:Open', JSON.stringify(campaignDoc({ id: 'y', protocols: ['no-such-protocol'] })));
      expect(none.error?.code).to.equal('NOT_FOUND');
    });
  });

  describe('a settled proof belongs to the campaign\'s funder', () => {
    it('moves the settled proof to the funder in the settlement; the seller can no longer sell or retire it', async () => {
      await c.net.ok(c.funder, 'campaigns:Open', JSON.stringify(campaignDoc()));
      const proof = await issue(c.p1, 3000);
      const settled = await c.net.invoke(c.funder, 'campaigns:Settle', 'bikes', proof.id);
      expect(settled.ok, settled.message).to.equal(true);
      const now = await c.net.ok<Proof>(c.funder, 'proofs:Get', proof.id);
      expect(now.owner).to.equal(c.funder.identity);
      expect(now.settlement).to.deep.include({ campaignId: 'bikes', funder: c.funder.identity });
      const buyer = c.net.member('Org2MSP', 'User8@org2');
      await c.net.ok(c.op2, 'roles:Grant', buyer.identity, 'funder');
      expect((await c.net.invoke(c.submitter1, 'proofs:Transfer', proof.id, buyer.identity, '3000', '{"amount":100,"currency":"EUR"}')).error?.code).to.equal('NOT_OWNER');
      expect((await c.net.invoke(c.submitter1, 'proofs:Retire', proof.id, '3000', 'someone else', 'offset')).error?.code).to.equal('NOT_OWNER');
      const resale = await c.net.invoke(c.funder, 'proofs:Transfer', proof.id, buyer.identity, '1000', '{"amount":100,"currency":"EUR"}');
      expect(resale.error?.code, 'not even the funder sells what the campaign paid for').to.equal('PROOF_SETTLED');
      expect(resale.writes.size).to.equal(0);
    });

    it('lets the funder retire the settled units (whole or part); the split remainder stays settled', async () => {
      await c.net.ok(c.funder, 'campaigns:Open', JSON.stringify(campaignDoc()));
      const proof = await issue(c.p1, 3000);
      await c.net.ok(c.funder, 'campaigns:Settle', 'bikes', proof.id);
      const part = await c.net.ok<Move>(c.funder, 'proofs:Retire', proof.id, '1000', 'Bikes campaign', 'campaign impact');
      expect(part.moved.status).to.equal('retired');
      const rest = part.remainder as Proof;
      expect(rest.owner).to.equal(c.funder.identity);
      const other = c.net.member('Org2MSP', 'User9@org2');
      await c.net.ok(c.op2, 'roles:Grant', other.identity, 'funder');
      expect((await c.net.invoke(c.funder, 'proofs:Transfer', rest.id, other.identity, '2000', '')).error?.code).to.equal('PROOF_SETTLED');
      expect((await c.net.ok<Move>(c.funder, 'proofs:Retire', rest.id, '2000', 'Bikes campaign', 'campaign impact')).moved.status).to.equal('retired');
    });
  });

  describe('conflicts of interest', () => {
    it('refuses the submitter of a claim as its validator (CONFLICT_OF_INTEREST), even when it holds the validator role', async () => {
      await c.net.ok(c.op3, 'roles:Grant', c.validator1.identity, 'submitter');
      const claim = await submitClaimOk<{ id: string }>(c.net, c.validator1, await claimDoc(c.p1, { subject: 'self-validated' }));
      for (const verifier of [c.verA, c.verB]) await c.net.ok(verifier, 'claims:Verify', claim.id, 'approve', '10000', hashOf('report'));
      const refused = await c.net.invoke(c.validator1, 'claims:Validate', claim.id, '10000');
      expect(refused.error?.code).to.equal('CONFLICT_OF_INTEREST');
      expect(refused.writes.size).to.equal(0);
    });
  });

  describe('subject schemas compile at registration', () => {
    for (const [label, schema] of [
      ['a misspelt keyword', { type: 'object', properties: { mode: { type: 'string', enumm: ['walk'] } } }],
      ['an unknown type', { type: 'object', properties: { quantity: { type: 'integr' } } }],
      ['a remote $ref', { $ref: 'https://schemas.example/subject.json' }],
      ['an unknown format', { type: 'string', format: 'no-such-format' }],
    ] as const) {
      it(`refuses a subject schema with ${label} (INVALID_PROTOCOL_SCHEMA), writing nothing`, async () => {
        const refused = await c.net.invoke(c.op3, 'protocols:Register', JSON.stringify(protocolDoc({ id: 'broken', verifiers: [c.verA.identity], validators: [c.validator2.identity], subjectSchema: schema })));
        expect(refused.error?.code).to.equal('INVALID_PROTOCOL_SCHEMA');
        expect(refused.writes.size).to.equal(0);
      });
    }

    it('accepts a schema using the formats the gateway knows (date, date-time, uri)', async () => {
      const schema = { type: 'object', required: ['quantity'], properties: { quantity: { type: 'integer' }, day: { type: 'string', format: 'date' }, at: { type: 'string', format: 'date-time' }, link: { type: 'string', format: 'uri' } } };
      const ok = await c.net.invoke(c.op3, 'protocols:Register', JSON.stringify(protocolDoc({ id: 'formats', verifiers: [c.verA.identity], validators: [c.validator2.identity], subjectSchema: schema })));
      expect(ok.ok, ok.message).to.equal(true);
    });
  });
});
