import '../../helpers/quiet-logs';
import { expect } from 'chai';
import { Keys } from '@impact-ledger/chaincode';
import { claimIdOf } from '@impact-ledger/chaincode/domain';
import { buildCast, claimDoc, hashOf, submitClaim, submitClaimOk, type Cast, type ClaimDoc } from '../../helpers/cast';
import { compositeKey, type Member } from '../../helpers/fake-fabric';

interface Claim { id: string; status: string; quantity: number; submitter: string; submitterMsp: string; txId: string; proofId?: string }
interface Proof { id: string; quantity: number; owner: string; serial: string; status: string }

const key = (k: { objectType: string; attributes: string[] }) => compositeKey(k.objectType, k.attributes);

describe('contract claims (in-memory peer)', () => {
  let c: Cast;
  beforeEach(async () => {
    c = await buildCast();
  });

  async function submit(member: Member, doc: ClaimDoc): Promise<Claim> {
    return submitClaimOk<Claim>(c.net, member, doc);
  }

  async function verify(member: Member, claimId: string, decision: string, assessed: number) {
    return c.net.invoke<Claim>(member, 'claims:Verify', claimId, decision, String(assessed), hashOf(`report-${member.label}`));
  }

  describe('Submit', () => {
    it('writes the claim, its month buckets and indexes under the documented keys, and emits ClaimSubmitted', async () => {
      const doc = await claimDoc(c.p1, { periodStart: '2026-03-30', periodEnd: '2026-04-02' });
      const outcome = await submitClaim<Claim>(c.net, c.submitter1, doc);
      const id = claimIdOf(String(doc.credentialHash));
      const pseudonym = String(doc.subjectPseudonym);
      expect([...outcome.writes.keys()].sort()).to.deep.equal([
        `\u0000il.claim\u0000${id}\u0000`,
        `\u0000il.claim~issuer\u0000${doc.issuer}\u0000${id}\u0000`,
        `\u0000il.claim~protocol\u0000commute\u00000000000001\u0000${id}\u0000`,
        `\u0000il.claim~status\u0000submitted\u0000${id}\u0000`,
        `\u0000il.days\u0000commute-modal-shift\u0000${pseudonym}\u00002026-03\u0000`,
        `\u0000il.days\u0000commute-modal-shift\u0000${pseudonym}\u00002026-04\u0000`,
      ].sort());
      expect(c.net.world.read('il.days', 'commute-modal-shift', pseudonym, '2026-03')).to.deep.equal({ 30: id, 31: id });
      expect(c.net.world.read('il.days', 'commute-modal-shift', pseudonym, '2026-04')).to.deep.equal({ '01': id, '02': id });
      expect(outcome.result).to.include({ id, status: 'submitted', submitter: c.submitter1.identity, submitterMsp: 'Org1MSP', txId: outcome.txId });
      expect(outcome.events).to.deep.equal([{ name: 'ClaimSubmitted', payload: { claimId: id, protocolId: 'commute', protocolVersion: 1, submitter: c.submitter1.identity, txId: outcome.txId } }]);
      expect(outcome.writes.get(key(Keys.claim(id)))).to.equal(JSON.stringify(JSON.parse(outcome.writes.get(key(Keys.claim(id))) as string)), 'compact JSON');
      expect(outcome.writes.get(key(Keys.claim(id)))?.indexOf('"approvals"')).to.equal(1, 'keys sorted');
    });

    it('costs at most 13 bucket reads and writes for a 366-day claim', async () => {
      const outcome = await submitClaim(c.net, c.submitter1, await claimDoc(c.p1, { periodStart: '2024-01-15', periodEnd: '2025-01-14' }));
      expect(outcome.ok, outcome.message).to.equal(true);
      const buckets = [...outcome.writes.keys()].filter((k) => k.startsWith('\u0000il.days\u0000'));
      expect(buckets).to.have.length(13);
      expect([...outcome.reads].filter((k) => k.startsWith('\u0000il.days\u0000'))).to.have.length(13);
      expect(outcome.reads.size).to.equal(18, 'role + protocol + claim + credential flag + issuer flag + 13 buckets');
      const refused = await submitClaim(c.net, c.submitter1, await claimDoc(c.p1, { periodStart: '2024-01-15', periodEnd: '2025-01-15' }));
      expect(refused.error?.code, 'the credential\'s period is refused before the claim\'s').to.equal('INVALID_PERIOD');
    });

    it('refuses double counting by one day across two MSPs and protocols, naming the claim and the day, writing nothing', async () => {
      const first = await submit(c.submitter1, await claimDoc(c.p1, { periodStart: '2026-05-01', periodEnd: '2026-05-31' }));
      const before = new Map(c.net.world.entries);
      const overlap = await submitClaim(c.net, c.submitter2, await claimDoc(c.p2, { periodStart: '2026-05-31', periodEnd: '2026-06-30' }));
      expect(overlap.error?.code).to.equal('DOUBLE_COUNTING');
      expect(overlap.error?.details).to.deep.include({ conflictingClaimId: first.id, day: '2026-05-31' });
      expect(c.net.world.entries).to.deep.equal(before);
      const adjacent = await submitClaim(c.net, c.submitter2, await claimDoc(c.p2, { periodStart: '2026-06-01', periodEnd: '2026-06-30' }));
      expect(adjacent.ok, adjacent.message).to.equal(true);
      const otherSubject = await submitClaim(c.net, c.submitter2, await claimDoc(c.p2, { subject: 'bob', periodStart: '2026-05-31', periodEnd: '2026-05-31' }));
      expect(otherSubject.ok, 'another subject never conflicts').to.equal(true);
      const otherCategory = await submitClaim(c.net, c.submitter1, await claimDoc(c.p3, { periodStart: '2026-05-31', periodEnd: '2026-05-31' }));
      expect(otherCategory.ok, 'another category never conflicts').to.equal(true);
    });

    it('refuses a replayed credential (CREDENTIAL_REPLAYED), even after withdrawal', async () => {
      const doc = await claimDoc(c.p1);
      const claim = await submit(c.submitter1, doc);
      expect((await submitClaim(c.net, c.submitter2, doc)).error?.code, 'another submitter').to.equal('CREDENTIAL_REPLAYED');
      await c.net.ok(c.submitter1, 'claims:Withdraw', claim.id);
      const replay = await submitClaim(c.net, c.submitter1, doc);
      expect(replay.error?.code).to.equal('CREDENTIAL_REPLAYED');
      expect(replay.error?.details?.claimId).to.equal(claim.id);
    });

    it('refuses callers without the submitter role, inactive protocols and low proof levels', async () => {
      expect((await submitClaim(c.net, c.verA, await claimDoc(c.p1))).error?.code).to.equal('FORBIDDEN_ROLE');
      expect((await submitClaim(c.net, c.op1, await claimDoc(c.p1))).error?.code, 'operators need the role too').to.equal('FORBIDDEN_ROLE');
      await c.net.ok(c.op1, 'protocols:Suspend', 'commute', '1');
      expect((await submitClaim(c.net, c.submitter1, await claimDoc(c.p1))).error?.code).to.equal('PROTOCOL_NOT_ACTIVE');
      expect((await submitClaim(c.net, c.submitter1, await claimDoc({ id: 'nope', version: 1, category: 'nope' }))).error?.code).to.equal('NOT_FOUND');
      expect((await submitClaim(c.net, c.submitter1, await claimDoc(c.p3, { quantity: 10.5 }))).error?.code, 'the credential\'s quantity').to.equal('INVALID_QUANTITY');
    });
  });

  describe('Withdraw', () => {
    it('frees the days; the submitter or an operator of its MSP only', async () => {
      const doc = await claimDoc(c.p1, { periodStart: '2026-07-01', periodEnd: '2026-07-10' });
      const claim = await submit(c.submitter1, doc);
      expect((await c.net.invoke(c.op2, 'claims:Withdraw', claim.id)).error?.code).to.equal('FORBIDDEN_ROLE');
      expect((await c.net.invoke(c.submitter2, 'claims:Withdraw', claim.id)).error?.code).to.equal('FORBIDDEN_ROLE');
      const withdrawn = await c.net.invoke<Claim>(c.op1, 'claims:Withdraw', claim.id);
      expect(withdrawn.result.status).to.equal('withdrawn');
      expect(withdrawn.events.map((e) => e.name)).to.deep.equal(['ClaimWithdrawn']);
      expect(withdrawn.writes.get(compositeKey('il.days', ['commute-modal-shift', String(doc.subjectPseudonym), '2026-07']))).to.equal(null, 'empty bucket deleted');
      expect(withdrawn.writes.get(key(Keys.claimByStatus('submitted', claim.id)))).to.equal(null);
      expect(withdrawn.writes.has(key(Keys.claimByStatus('withdrawn', claim.id)))).to.equal(true);
      const again = await submitClaim(c.net, c.submitter2, await claimDoc(c.p2, { periodStart: '2026-07-05', periodEnd: '2026-07-05' }));
      expect(again.ok, 'freed days can be claimed again').to.equal(true);
      expect((await c.net.invoke(c.submitter1, 'claims:Withdraw', claim.id)).error?.code).to.equal('INVALID_STATE_TRANSITION');
    });
  });

  describe('Verify', () => {
    it('records votes under il.verification/claim/verifier; k approvals verify (ClaimVerified)', async () => {
      const claim = await submit(c.submitter1, await claimDoc(c.p1));
      const first = await verify(c.verA, claim.id, 'approve', 9000);
      expect(first.result.status).to.equal('submitted');
      expect(first.events.map((e) => e.name)).to.deep.equal(['VerificationRecorded']);
      expect(first.writes.has(compositeKey('il.verification', [claim.id, c.verA.identity]))).to.equal(true);
      const second = await verify(c.verB, claim.id, 'approve', 8000);
      expect(second.result.status).to.equal('verified');
      expect(second.events[0]).to.deep.include({ name: 'ClaimVerified' });
      expect(second.events[0]?.payload).to.include({ claimId: claim.id, verifier: c.verB.identity, decision: 'approve', status: 'verified', txId: second.txId });
      expect((await verify(c.verC, claim.id, 'approve', 8000)).error?.code).to.equal('QUORUM_CLOSED');
      const votes = await c.net.ok<{ verifier: string }[]>(c.funder, 'claims:Verifications', claim.id);
      expect(votes.map((v) => v.verifier).sort()).to.deep.equal([c.verA.identity, c.verB.identity].sort());
    });

    it('rejects early when k becomes unreachable and frees the days (ClaimRejected)', async () => {
      const doc = await claimDoc(c.p1, { periodStart: '2026-08-01', periodEnd: '2026-08-31' });
      const claim = await submit(c.submitter1, doc);
      expect((await verify(c.verB, claim.id, 'reject', 0)).result.status).to.equal('submitted');
      const second = await verify(c.verC, claim.id, 'reject', 0);
      expect(second.result.status).to.equal('rejected');
      expect(second.events.map((e) => e.name)).to.deep.equal(['ClaimRejected']);
      expect(c.net.world.read('il.days', 'commute-modal-shift', String(doc.subjectPseudonym), '2026-08')).to.equal(undefined);
      expect((await verify(c.verA, claim.id, 'approve', 1)).error?.code).to.equal('QUORUM_CLOSED');
      const corrected = await submitClaim(c.net, c.submitter1, await claimDoc(c.p1, { periodStart: '2026-08-01', periodEnd: '2026-08-31', quantity: 9000 }));
      expect(corrected.ok, 'a corrected claim can be submitted').to.equal(true);
    });

    it('refuses each role abuse and writes nothing', async () => {
      const claim = await submit(c.submitter1, await claimDoc(c.p1));
      const dualClaim = await submit(c.dual, await claimDoc(c.p3));
      const before = new Map(c.net.world.entries);
      expect((await verify(c.submitter1, claim.id, 'approve', 1)).error?.code, 'submitter as verifier').to.equal('FORBIDDEN_ROLE');
      expect((await verify(c.validator1, claim.id, 'approve', 1)).error?.code, 'validator as verifier').to.equal('FORBIDDEN_ROLE');
      expect((await verify(c.verX, claim.id, 'approve', 1)).error?.code, 'verifier not designated').to.equal('NOT_DESIGNATED');
      expect((await verify(c.dual, dualClaim.id, 'approve', 1)).error?.code, 'own claim').to.equal('CONFLICT_OF_INTEREST');
      expect((await verify(c.verA, claim.id, 'approve', 10_001)).error?.code, 'above claimed').to.equal('INVALID_ARGUMENT');
      expect((await verify(c.verA, hashOf('missing'), 'approve', 1)).error?.code).to.equal('NOT_FOUND');
      expect(c.net.world.entries).to.deep.equal(before);
      await verify(c.verA, claim.id, 'approve', 100);
      expect((await verify(c.verA, claim.id, 'approve', 100)).error?.code).to.equal('ALREADY_VERIFIED');
    });
  });

  describe('Validate', () => {
    async function verifiedClaim(doc?: ClaimDoc): Promise<Claim> {
      const claim = await submit(c.submitter1, doc ?? await claimDoc(c.p1));
      await verify(c.verA, claim.id, 'approve', 9000);
      await verify(c.verB, claim.id, 'approve', 8000);
      return claim;
    }

    it('issues exactly one proof capped at the lower median, with its keys and ProofIssued', async () => {
      const claim = await verifiedClaim();
      expect((await c.net.invoke(c.validator1, 'claims:Validate', claim.id, '8001')).error?.code).to.equal('VALUE_ABOVE_MEDIAN');
      const outcome = await c.net.invoke<Proof>(c.validator1, 'claims:Validate', claim.id, '8000');
      const proof = outcome.result;
      expect(proof).to.include({ quantity: 8000, owner: c.submitter1.identity, status: 'active' });
      expect([...outcome.writes.keys()].sort()).to.deep.equal([
        key(Keys.claim(claim.id)),
        key(Keys.claimByStatus('verified', claim.id)),
        key(Keys.claimByStatus('validated', claim.id)),
        key(Keys.proof(proof.id)),
        key(Keys.proofByOwner(c.submitter1.identity, proof.id)),
        key(Keys.proofByProtocol('commute', 1, proof.id)),
        key(Keys.proofByStatus('active', proof.id)),
        key(Keys.totalsEntry('B', 'gCO2e', 'commute', 1, `issued:${proof.id}`)),
      ].sort());
      expect(outcome.events).to.deep.equal([{ name: 'ProofIssued', payload: { claimId: claim.id, proofId: proof.id, serial: proof.serial, quantity: 8000, owner: c.submitter1.identity, txId: outcome.txId } }]);
      expect((await c.net.ok<Claim>(c.funder, 'claims:Get', claim.id))).to.include({ status: 'validated', proofId: proof.id });
      expect((await c.net.invoke(c.validator1, 'claims:Validate', claim.id, '1')).error?.code).to.equal('PROOF_ALREADY_ISSUED');
    });

    it('refuses non-designated validators, other roles and unverified claims', async () => {
      const claim = await submit(c.submitter1, await claimDoc(c.p1));
      expect((await c.net.invoke(c.validator1, 'claims:Validate', claim.id, '1')).error?.code).to.equal('CLAIM_NOT_VERIFIED');
      await verify(c.verA, claim.id, 'approve', 9000);
      await verify(c.verB, claim.id, 'approve', 9000);
      expect((await c.net.invoke(c.validator2, 'claims:Validate', claim.id, '1')).error?.code).to.equal('NOT_DESIGNATED');
      expect((await c.net.invoke(c.verC, 'claims:Validate', claim.id, '1')).error?.code).to.equal('FORBIDDEN_ROLE');
      expect((await c.net.invoke(c.submitter1, 'claims:Validate', claim.id, '1')).error?.code).to.equal('FORBIDDEN_ROLE');
      await c.net.ok(c.op1, 'protocols:Suspend', 'commute', '1');
      expect((await c.net.invoke(c.validator1, 'claims:Validate', claim.id, '1')).error?.code).to.equal('PROTOCOL_NOT_ACTIVE');
    });

    it('re-checks uniqueness: a claim whose days were taken is refused', async () => {
      const doc = await claimDoc(c.p1, { periodStart: '2026-09-01', periodEnd: '2026-09-02' });
      const claim = await verifiedClaim(doc);
      // Simulate a corrupted index: another claim id holds one of the days.
      const bucketKey = compositeKey('il.days', ['commute-modal-shift', String(doc.subjectPseudonym), '2026-09']);
      c.net.world.entries.set(bucketKey, Buffer.from(JSON.stringify({ '01': claim.id, '02': 'f'.repeat(64) })));
      const refused = await c.net.invoke(c.validator1, 'claims:Validate', claim.id, '1');
      expect(refused.error?.code).to.equal('DOUBLE_COUNTING');
      expect(refused.error?.details).to.deep.include({ day: '2026-09-02', conflictingClaimId: 'f'.repeat(64) });
    });
  });

  describe('queries', () => {
    it('finds a claim by credential hash and lists by status or protocol, paginated', async () => {
      const doc = await claimDoc(c.p1);
      const claim = await submit(c.submitter1, doc);
      const other = await submit(c.submitter2, await claimDoc(c.p2, { subject: 'bob' }));
      expect((await c.net.ok<Claim>(c.funder, 'claims:GetByCredentialHash', String(doc.credentialHash))).id).to.equal(claim.id);
      const byProtocol = await c.net.ok<{ records: Claim[] }>(c.funder, 'claims:List', JSON.stringify({ protocolId: 'org2-commute', protocolVersion: 1 }), '10', '');
      expect(byProtocol.records.map((r) => r.id)).to.deep.equal([other.id]);
      const all = await c.net.ok<{ records: Claim[]; bookmark: string }>(c.funder, 'claims:List', '', '1', '');
      const rest = await c.net.ok<{ records: Claim[]; bookmark: string }>(c.funder, 'claims:List', '{}', '1', all.bookmark);
      expect([...all.records, ...rest.records].map((r) => r.id).sort()).to.deep.equal([claim.id, other.id].sort());
      await c.net.ok(c.submitter1, 'claims:Withdraw', claim.id);
      const withdrawn = await c.net.ok<{ records: Claim[] }>(c.funder, 'claims:List', '{"status":"withdrawn"}', '10', '');
      expect(withdrawn.records.map((r) => r.id)).to.deep.equal([claim.id]);
      expect((await c.net.invoke(c.funder, 'claims:List', '{"status":"lost"}', '10', '')).error?.code).to.equal('INVALID_ARGUMENT');
    });
  });
});
