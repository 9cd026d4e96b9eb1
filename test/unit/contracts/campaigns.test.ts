import '../../helpers/quiet-logs';
import { expect } from 'chai';
import { Keys } from '@impact-ledger/chaincode';
import { buildCast, claimDoc, hashOf, submitClaimOk, type Cast, type ClaimOverrides } from '../../helpers/cast';
import { compositeKey, type Member, type TxOutcome } from '../../helpers/fake-fabric';

interface Proof { id: string; claimId: string; quantity: number; owner: string; status: string }
interface Move { moved: Proof; remainder?: Proof; parent?: Proof }
interface Settlement { campaignId: string; proofId: string; amount: number; held: number; draws: { index: number; amount: number }[]; producerPseudonym: string }
interface Progress {
  campaign: { status: string; budget: number };
  progress: { settled: number; heldInBuffer: number; released: number; payable: number; remaining: number; settlements: number;
    impact: { pillar: string; unit: string; quantity: number; proofs: number }[]; sdg: { sdgTarget: string; quantity: number }[] };
}

const key = (k: { objectType: string; attributes: string[] }) => compositeKey(k.objectType, k.attributes);

function campaignDoc(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'bike-allowance-2026', name: 'Bike allowance 2026', protocols: ['commute'], currency: 'EUR', budget: 10_000, pricePerUnit: 1,
    bufferBps: 1000, criteria: { minProofLevel: 'computed', periodStart: '2026-01-01', periodEnd: '2026-12-31', msps: ['Org1MSP'] },
    ...overrides,
  };
}

describe('contract campaigns (in-memory peer)', () => {
  let c: Cast;
  let subjects = 0;

  async function issue(quantity: number, overrides: ClaimOverrides = {}): Promise<Proof> {
    subjects += 1;
    const submitted = await submitClaimOk<{ id: string }>(c.net, c.submitter1, await claimDoc(c.p1, { subject: `producer-${subjects}`, quantity, ...overrides }));
    for (const verifier of [c.verA, c.verB]) await c.net.ok(verifier, 'claims:Verify', submitted.id, 'approve', String(quantity), hashOf('r'));
    return c.net.ok<Proof>(c.validator1, 'claims:Validate', submitted.id, String(quantity));
  }

  const settle = (campaign: string, proofId: string, who: Member = c.funder) => c.net.invoke<Settlement>(who, 'campaigns:Settle', campaign, proofId);
  const progress = (id = 'bike-allowance-2026') => c.net.ok<Progress>(c.funder, 'campaigns:Progress', id);

  beforeEach(async () => {
    c = await buildCast();
    await c.net.ok(c.funder, 'campaigns:Open', JSON.stringify(campaignDoc()));
  });

  it('opens a campaign whose tranches sum exactly to the budget; only funders may open', async () => {
    const shards = [...Array(8).keys()].map((i) => c.net.world.read('il.campaign~shard', 'bike-allowance-2026', String(i).padStart(3, '0')) as { allowance: number });
    expect(shards.reduce((s, x) => s + x.allowance, 0)).to.equal(10_000);
    const refused = await c.net.invoke(c.submitter1, 'campaigns:Open', JSON.stringify(campaignDoc({ id: 'other' })));
    expect(refused.error?.code).to.equal('FORBIDDEN_ROLE');
    expect(c.net.world.read('il.campaign', 'other')).to.equal(undefined);
    expect((await c.net.invoke(c.funder, 'campaigns:Open', JSON.stringify(campaignDoc()))).error?.code).to.equal('ALREADY_EXISTS');
    expect((await c.net.invoke(c.funder, 'campaigns:Open', JSON.stringify(campaignDoc({ id: 'x', budget: 1.5 })))).error?.code).to.equal('INVALID_ARGUMENT');
  });

  it('refuses to settle a proof flagged upstream (PROOF_FLAGGED), and settles it once the flag is cleared', async () => {
    const proof = await issue(1000, { label: 'flagged-credential' });
    const { credentialHash } = await c.net.ok<{ credentialHash: string }>(c.funder, 'claims:Get', proof.claimId);
    const flag = await c.net.ok<{ flag: { id: string } }>(c.op1, 'revocation:Flag', 'credential', credentialHash, 'issuer revoked it');
    const refused = await settle('bike-allowance-2026', proof.id);
    expect(refused.error?.code).to.equal('PROOF_FLAGGED');
    expect(refused.writes.size, 'nothing written').to.equal(0);
    await c.net.ok(c.op1, 'revocation:Clear', flag.flag.id);
    const settled = await settle('bike-allowance-2026', proof.id);
    expect(settled.ok, settled.message).to.equal(true);
  });

  it('settles an eligible proof once: amount, buffer, marker, progress per pillar and SDG', async () => {
    const proof = await issue(3000);
    const outcome = await settle('bike-allowance-2026', proof.id);
    expect(outcome.ok, outcome.message).to.equal(true);
    expect(outcome.result).to.include({ campaignId: 'bike-allowance-2026', proofId: proof.id, amount: 3000, held: 300 });
    expect(outcome.events.map((e) => e.name)).to.deep.equal(['ProofSettled']);
    expect(outcome.writes.has(key(Keys.settlementOfProof(proof.id)))).to.equal(true);
    const p = await progress();
    expect(p.progress).to.include({ settled: 3000, heldInBuffer: 300, payable: 2700, remaining: 7000, settlements: 1 });
    expect(p.progress.impact).to.deep.equal([{ pillar: 'B', unit: 'gCO2e', quantity: 3000, proofs: 1 }]);
    expect(p.progress.sdg.map((s) => [s.sdgTarget, s.quantity])).to.deep.equal([['11.2', 3000], ['13.2', 3000]]);
    const again = await settle('bike-allowance-2026', proof.id);
    expect(again.error?.code).to.equal('ALREADY_SETTLED');
    expect(again.writes.size).to.equal(0);
    await c.net.ok(c.funder, 'campaigns:Open', JSON.stringify(campaignDoc({ id: 'second' })));
    expect((await settle('second', proof.id)).error?.code, 'another campaign never pays the same proof').to.equal('ALREADY_SETTLED');
  });

  it('refuses to settle units of a settled proof again after its owner (now the funder) splits it', async () => {
    const proof = await issue(3000);
    expect((await settle('bike-allowance-2026', proof.id)).ok).to.equal(true);
    const move = await c.net.ok<Move>(c.funder, 'proofs:Retire', proof.id, '1000', 'Bike allowance 2026', 'campaign impact');
    await c.net.ok(c.funder, 'campaigns:Open', JSON.stringify(campaignDoc({ id: 'second' })));
    const refused = await settle('second', (move.remainder as Proof).id);
    expect(refused.error?.code).to.equal('ALREADY_SETTLED');
    expect(refused.error?.details).to.include({ settledProofId: proof.id });
  });

  it('never exceeds the budget: draws across tranches, then refuses BUDGET_EXCEEDED with nothing written', async () => {
    const big = await issue(9000);
    const first = await settle('bike-allowance-2026', big.id);
    expect(first.ok, first.message).to.equal(true);
    expect(first.result.draws.length, 'a settlement larger than one tranche draws from several').to.be.greaterThan(1);
    expect(first.result.draws.reduce((s, d) => s + d.amount, 0)).to.equal(9000);
    const small = await issue(1500);
    const refused = await settle('bike-allowance-2026', small.id);
    expect(refused.error?.code).to.equal('BUDGET_EXCEEDED');
    expect(refused.error?.details).to.deep.equal({ requested: 1500, remaining: 1000 });
    expect(refused.writes.size).to.equal(0);
    expect((await progress()).progress).to.include({ settled: 9000, remaining: 1000 });
    const exact = await issue(1000);
    expect((await settle('bike-allowance-2026', exact.id)).ok).to.equal(true);
    expect((await progress()).progress).to.include({ settled: 10_000, remaining: 0 });
  });

  it('prices per block of units, rounding down', async () => {
    await c.net.ok(c.funder, 'campaigns:Open', JSON.stringify(campaignDoc({ id: 'per-kg', pricePerUnit: 100, pricePer: 1000 })));
    const proof = await issue(2999);
    expect((await settle('per-kg', proof.id)).result).to.include({ amount: 299, held: 29 });
  });

  it('raises the budget, never lowers it below what is settled', async () => {
    const proof = await issue(9000);
    await c.net.ok(c.funder, 'campaigns:Settle', 'bike-allowance-2026', proof.id);
    expect((await c.net.invoke(c.funder, 'campaigns:SetBudget', 'bike-allowance-2026', '8999')).error?.code).to.equal('BUDGET_BELOW_SETTLED');
    await c.net.ok(c.funder, 'campaigns:SetBudget', 'bike-allowance-2026', '20000');
    const p = await progress();
    expect(p.campaign.budget).to.equal(20_000);
    expect(p.progress).to.include({ settled: 9000, remaining: 11_000 });
    const next = await issue(10_000);
    expect((await settle('bike-allowance-2026', next.id)).ok).to.equal(true);
    await c.net.ok(c.funder, 'campaigns:SetBudget', 'bike-allowance-2026', '19000');
    expect((await progress()).progress).to.include({ settled: 19_000, remaining: 0 });
  });

  it('holds the buffer until close, then releases it; a closed campaign settles nothing', async () => {
    const proof = await issue(2000);
    await c.net.ok(c.funder, 'campaigns:Settle', 'bike-allowance-2026', proof.id);
    expect((await progress()).progress).to.include({ heldInBuffer: 200, released: 0, payable: 1800 });
    const closed = await c.net.invoke(c.funder, 'campaigns:Close', 'bike-allowance-2026');
    expect(closed.events).to.deep.equal([{ name: 'CampaignClosed', payload: { campaignId: 'bike-allowance-2026', released: 200, txId: closed.txId } }]);
    expect((await progress()).progress).to.include({ heldInBuffer: 0, released: 200, payable: 2000 });
    const other = await issue(100);
    expect((await settle('bike-allowance-2026', other.id)).error?.code).to.equal('CAMPAIGN_CLOSED');
    expect((await c.net.invoke(c.funder, 'campaigns:SetBudget', 'bike-allowance-2026', '50000')).error?.code).to.equal('CAMPAIGN_CLOSED');
  });

  it('refuses ineligible proofs by criterion, and callers other than the funder', async () => {
    const early = await issue(100, { periodStart: '2025-12-01', periodEnd: '2025-12-31' });
    expect((await settle('bike-allowance-2026', early.id)).error?.details).to.deep.equal({ criterion: 'period' });
    const declared = await issue(100, { proofLevel: 'declared' });
    expect((await settle('bike-allowance-2026', declared.id)).error?.details).to.deep.equal({ criterion: 'minProofLevel' });
    await c.net.ok(c.funder, 'campaigns:Open', JSON.stringify(campaignDoc({ id: 'org2-only', criteria: { periodStart: '2026-01-01', periodEnd: '2026-12-31', msps: ['Org2MSP'] } })));
    const ok = await issue(100);
    const wrongMsp = await settle('org2-only', ok.id);
    expect([wrongMsp.error?.code, wrongMsp.error?.details]).to.deep.equal(['NOT_ELIGIBLE', { criterion: 'msps' }]);
    const otherFunder = c.net.member('Org2MSP', 'User7@org2');
    await c.net.ok(c.op2, 'roles:Grant', otherFunder.identity, 'funder');
    expect((await settle('bike-allowance-2026', ok.id, otherFunder)).error?.code).to.equal('FORBIDDEN_ROLE');
  });

  describe('concurrency under MVCC (endorsed against one snapshot, validated in commit order)', () => {
    /** Endorses every transaction against the same committed state, then commits in order as a peer validates a block. */
    async function block(txs: (() => Promise<TxOutcome>)[]): Promise<{ valid: TxOutcome[]; conflicts: number }> {
      const snapshot = new Map(c.net.world.entries);
      const endorsed: TxOutcome[] = [];
      for (const tx of txs) {
        c.net.world.entries.clear();
        for (const [k, v] of snapshot) c.net.world.entries.set(k, v);
        endorsed.push(await tx());
      }
      c.net.world.entries.clear();
      for (const [k, v] of snapshot) c.net.world.entries.set(k, v);
      const written = new Set<string>();
      const valid: TxOutcome[] = [];
      let conflicts = 0;
      for (const tx of endorsed) {
        if (!tx.ok) continue;
        if ([...tx.reads].some((k) => written.has(k))) { conflicts += 1; continue; }
        for (const [k, v] of tx.writes) {
          if (v === null) c.net.world.entries.delete(k);
          else c.net.world.entries.set(k, Buffer.from(v));
          written.add(k);
        }
        valid.push(tx);
      }
      return { valid, conflicts };
    }

    it('many concurrent settlements: mostly on distinct tranches, never past the budget, each proof once', async () => {
      const proofs: Proof[] = [];
      for (let i = 0; i < 12; i++) proofs.push(await issue(1000));
      // 12 x 1000 against a budget of 10 000 in 8 tranches of 1250: each settlement fits one tranche.
      const round1 = await block(proofs.map((p) => () => settle('bike-allowance-2026', p.id)));
      const round2 = await block([...proofs, proofs[0] as Proof].map((p) => () => settle('bike-allowance-2026', p.id)));
      const settled = (await progress()).progress;
      expect(settled.settled).to.be.at.most(10_000);
      expect(settled.settled).to.equal((round1.valid.length + round2.valid.length) * 1000);
      const markers = proofs.filter((p) => c.net.world.read('il.settlement~proof', p.id) !== undefined);
      expect(markers).to.have.length(settled.settlements);
      expect(round1.conflicts, 'only settlements that start on the same tranche collide').to.be.below(12);
      expect(round1.valid.length).to.be.greaterThan(1);
    });

    it('two concurrent settlements of one proof: exactly one commits', async () => {
      const proof = await issue(500);
      await c.net.ok(c.funder, 'campaigns:Open', JSON.stringify(campaignDoc({ id: 'second' })));
      const { valid, conflicts } = await block([() => settle('bike-allowance-2026', proof.id), () => settle('second', proof.id)]);
      expect([valid.length, conflicts]).to.deep.equal([1, 1]);
    });

    it('a close committed before a concurrent settlement invalidates it', async () => {
      const proof = await issue(500);
      const { valid, conflicts } = await block([() => c.net.invoke(c.funder, 'campaigns:Close', 'bike-allowance-2026'), () => settle('bike-allowance-2026', proof.id)]);
      expect([valid.length, conflicts]).to.deep.equal([1, 1]);
      expect((await progress()).progress.settled).to.equal(0);
    });
  });
});
