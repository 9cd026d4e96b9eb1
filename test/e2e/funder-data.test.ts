/**
 * Funders' reports from proofs and campaigns that settle themselves, end to end over HTTP against
 * the real network: annual production data taken through the quorum into proofs; the carbon
 * result and the PCAF report computed from them (every input with its proof, transaction and
 * block), and refused for flagged, retired-elsewhere or mismatching proofs; a campaign in automatic
 * mode settled by org 1's settlement worker as proofs are issued, across a stop and restart of the
 * worker's gateway (nothing settled twice, nothing missed). Latencies and the worker's lag are
 * printed.
 */
import { startGateway } from '@impact-ledger/gateway';
import { signCredential } from '@impact-ledger/credentials';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
import { issueProductionProof, productionProtocols, type IssuedProof, type ProductionProtocols } from './production-data';
import { claimRequest, commuteCredential, newIssuer, reportHash, settled, SUBJECT_SCHEMA, type Committed, type IssuerKeyPair, type TestProtocol } from './scenario';

interface Origin { origin: string; value: number; proofId?: string; txId?: string; blockNumber?: number; source?: string; auditBundle?: string }
interface CarbonReport { clientPartKg: number; producerPartKg: number; marketPartKg: number; totalKg: number; presentValueKg: number;
  passThrough: { name: string; totalKg: number }[]; evidence: Record<string, Origin>; proofs: string[]; inputsSha256: string }
interface PcafReport { holdings: { name: string; basis: string; dataQualityScore: number; attributionFactor: number; financedEmissionsKg: number; proofs: string[];
  outstanding: { origin: string; value: number; campaignId?: string } }[]; proofs: string[]; weightedDataQualityScore: number }

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timed<T>(samples: number[], run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  samples.push(performance.now() - started);
  return result;
}

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `n=${sorted.length} median ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, max ${(sorted[sorted.length - 1] ?? 0).toFixed(0)} ms`;
}

describe('e2e: funders\' reports from proofs, campaigns that settle themselves', function () {
  this.timeout(600_000);
  let world: GatewayWorld;
  let auditor: IssuerKeyPair;
  let protocols: ProductionProtocols;
  const producer = `did:example:steel-maker-${randomBytes(4).toString('hex')}`;
  const market = `did:example:steel-market-eu-${randomBytes(4).toString('hex')}`;
  const p: Record<string, IssuedProof> = {};
  const carbonLatency: number[] = [];
  const pcafLatency: number[] = [];
  const ref = (name: string) => ({ proofId: p[name]?.id ?? '' });
  const d = (value: number) => ({ value, source: 'declared by the funder' });
  const steel = () => ({
    label: 'steel maker', producer,
    quantityBefore: ref('q2023'), quantityAfter: ref('q2024'), factorBefore: ref('f2023'), factorAfter: ref('f2024'),
    marketShare: { shareBefore: d(1000), shareAfter: d(1200), marketQuantity: ref('m2024'), marketFactor: ref('mf2024') },
    discount: { rateBps: d(300), years: d(2) },
    totalFinancing: d(1_000_000_00), funders: [{ name: 'bank A', financed: d(250_000_00) }],
  });

  before(async () => {
    world = await getGatewayWorld();
    auditor = await newIssuer();
    protocols = await productionProtocols(world, auditor);
    // the seed method's steel example, as proofs: 100 kt at 1800 kg/t in 2023, 112 kt at 1700 kg/t in 2024
    p.q2023 = await issueProductionProof(protocols, auditor, 'quantity', producer, 2023, 100_000);
    p.q2024 = await issueProductionProof(protocols, auditor, 'quantity', producer, 2024, 112_000);
    p.f2023 = await issueProductionProof(protocols, auditor, 'factor', producer, 2023, 1800);
    p.f2024 = await issueProductionProof(protocols, auditor, 'factor', producer, 2024, 1700);
    p.m2024 = await issueProductionProof(protocols, auditor, 'quantity', market, 2024, 1_000_000);
    p.mf2024 = await issueProductionProof(protocols, auditor, 'factor', market, 2024, 2000);
    p.e2024 = await issueProductionProof(protocols, auditor, 'emissions', producer, 2024, 190_400_000);
  });

  it('computes the carbon result from proofs: the steel example exactly, each input with its proof, transaction and block', async () => {
    const report = await timed(carbonLatency, () => world.client(2, 'User5').json<CarbonReport>('POST', '/v1/reports/carbon-result', steel(), 200));
    expect([report.clientPartKg, report.producerPartKg, report.marketPartKg]).to.deep.equal([-20_400_000, 10_000_000, 6_000_000]);
    expect(report.presentValueKg).to.equal(Math.round(-4_400_000 / 1.03 ** 2));
    expect(report.passThrough[0]).to.include({ name: 'bank A', totalKg: -1_100_000 });
    for (const [field, name] of [['quantityBefore', 'q2023'], ['quantityAfter', 'q2024'], ['factorBefore', 'f2023'], ['factorAfter', 'f2024'], ['marketShare.marketQuantity', 'm2024'], ['marketShare.marketFactor', 'mf2024']] as const) {
      expect(report.evidence[field], field).to.include({ origin: 'proof', proofId: p[name]?.id, txId: p[name]?.txId, blockNumber: p[name]?.blockNumber });
      expect(report.evidence[field]?.auditBundle).to.equal(`/v1/proofs/${p[name]?.id}/audit-bundle`);
    }
    expect(report.evidence['marketShare.shareBefore']).to.deep.equal({ origin: 'declared', value: 1000, source: 'declared by the funder' });
    expect(report.proofs).to.have.members(['q2023', 'q2024', 'f2023', 'f2024', 'm2024', 'mf2024'].map((n) => p[n]?.id));
    expect(JSON.stringify(report)).to.not.contain(producer);
    for (let i = 0; i < 4; i++) await timed(carbonLatency, () => world.client(i % 3 + 1, 'User5').json('POST', '/v1/reports/carbon-result', steel(), 200));
    console.log(`      carbon-result from 6 proofs: ${stats(carbonLatency)}`);
  });

  it('keeps declared inputs possible, marked declared', async () => {
    const report = await world.client(1, 'User5').json<CarbonReport>('POST', '/v1/reports/carbon-result', { ...steel(), factorAfter: d(1700), marketShare: undefined }, 200);
    expect(report.evidence.factorAfter).to.deep.equal({ origin: 'declared', value: 1700, source: 'declared by the funder' });
    expect(report.evidence.factorBefore?.origin).to.equal('proof');
    expect([report.clientPartKg, report.producerPartKg]).to.deep.equal([-20_400_000, 10_000_000]);
  });

  it('refuses mismatching proofs with clear codes: unit, year, producer, unknown proof', async () => {
    const client = world.client(3, 'User5');
    const refusals: [string, Record<string, unknown>, string][] = [
      ['unit', { ...steel(), factorAfter: ref('q2024') }, 'REPORT_UNIT_MISMATCH'],
      ['years', { ...steel(), quantityAfter: ref('q2023') }, 'REPORT_YEAR_MISMATCH'],
      ['producer', { ...steel(), quantityAfter: ref('m2024') }, 'REPORT_PRODUCER_MISMATCH'],
      ['another producer named', { ...steel(), producer: 'did:example:someone-else' }, 'REPORT_PRODUCER_MISMATCH'],
      ['no producer across categories', { ...steel(), producer: undefined }, 'REPORT_PRODUCER_REQUIRED'],
      ['unknown proof', { ...steel(), factorAfter: { proofId: 'f'.repeat(64) } }, 'REPORT_PROOF_NOT_FOUND'],
    ];
    for (const [what, body, code] of refusals) {
      const refused = await client.request('POST', '/v1/reports/carbon-result', body);
      expect([refused.status, refused.body.code], `${what}: ${refused.text}`).to.deep.equal([422, code]);
    }
  });

  it('PCAF from provenance: verified emissions proof 1, verified activity x factor 2, declared 4; attribution from a campaign', async () => {
    const campaignId = `pcaf-${randomBytes(4).toString('hex')}`;
    const funder = world.client(1, 'User5');
    // the financing: a manual campaign on the production protocol settles the 2024 production proof (price 1 minor unit per tonne)
    await settled(await funder.json<Committed>('POST', '/v1/campaigns', {
      id: campaignId, name: 'steel transition loan', protocols: [protocols.quantity], currency: 'EUR', budget: 10_000_000, pricePerUnit: 50,
      criteria: { periodStart: '2024-01-01', periodEnd: '2024-12-31' },
    }, 201));
    await settled(await funder.json<Committed>('POST', `/v1/campaigns/${campaignId}/settlements`, { proofId: p.q2024?.id }, 201));
    const body = { holdings: [
      { name: 'steel maker (emissions)', campaignId, evic: d(22_400_000), emissionsKg: ref('e2024') },
      { name: 'steel maker (activity)', outstanding: d(1_000_000), evic: d(4_000_000), activity: { quantity: ref('q2024'), factor: ref('f2024') }, producer },
      { name: 'bike shop', outstanding: d(750), evic: d(1500), emissionsKg: d(10_000), option: 'hybrid' },
    ] };
    const report = await timed(pcafLatency, () => world.client(2, 'User5').json<PcafReport>('POST', '/v1/reports/pcaf', body, 200));
    expect(report.holdings.map((h) => [h.basis, h.dataQualityScore, h.attributionFactor, h.financedEmissionsKg])).to.deep.equal([
      ['verified-emissions-proof', 1, 0.25, 47_600_000], ['verified-activity-x-factor', 2, 0.25, 47_600_000], ['declared', 4, 0.5, 5000],
    ]);
    expect(report.holdings[0]?.outstanding).to.include({ origin: 'campaign', value: 5_600_000, campaignId });
    expect(report.proofs).to.have.members([p.e2024?.id, p.q2024?.id, p.f2024?.id]);
    for (let i = 0; i < 4; i++) await timed(pcafLatency, () => world.client(i % 3 + 1, 'User5').json('POST', '/v1/reports/pcaf', body, 200));
    console.log(`      pcaf from 3 proofs and a campaign: ${stats(pcafLatency)}`);
    const unknown = await world.client(2, 'User5').request('POST', '/v1/reports/pcaf', { holdings: [{ name: 'x', campaignId: 'no-such-campaign', evic: d(1), emissionsKg: d(1) }] });
    expect([unknown.status, unknown.body.code]).to.deep.equal([422, 'REPORT_CAMPAIGN_NOT_FOUND']);
  });

  it('refuses a proof retired for another beneficiary and a flagged one; accepts one retired for the report', async () => {
    const owner = world.client(1, 'User1');
    await settled(await owner.json<Committed>('POST', `/v1/proofs/${p.mf2024?.id}/retirements`, { quantity: 2000, beneficiary: 'another fund', purpose: 'its own report' }, 201));
    const elsewhere = await world.client(2, 'User5').request('POST', '/v1/reports/carbon-result', steel());
    expect([elsewhere.status, elsewhere.body.code, elsewhere.body.field]).to.deep.equal([422, 'REPORT_PROOF_RETIRED_ELSEWHERE', 'marketShare.marketFactor']);
    await world.client(2, 'User5').json('POST', '/v1/reports/carbon-result', { ...steel(), beneficiary: 'another fund' }, 200);
    await settled(await world.client(2, 'Admin').json<Committed>('POST', '/v1/revocations', { kind: 'credential', subject: p.f2023?.credentialHash, reason: 'the auditor withdrew its attestation' }, 201));
    const flagged = await world.client(2, 'User5').request('POST', '/v1/reports/carbon-result', { ...steel(), marketShare: undefined });
    expect([flagged.status, flagged.body.code, flagged.body.proofId]).to.deep.equal([422, 'REPORT_PROOF_FLAGGED', p.f2023?.id]);
  });

  describe('a campaign in automatic mode', () => {
    let commute: TestProtocol;
    let issuer: IssuerKeyPair;
    const campaignId = `auto-${randomBytes(4).toString('hex')}`;
    const lags: number[] = [];
    const proofs: string[] = [];

    /** A commute proof: submitted by org `submitter`, approved by two other verifiers, validated by User4 of another org. */
    async function commuteProof(submitter: 1 | 2, quantity: number): Promise<{ id: string; issuedAt: number }> {
      const credential = await signCredential(commuteCredential(issuer.controller, { subject: { quantity } }), issuer, { date: new Date() });
      const claim = await settled(await world.client(submitter, 'User1').json<Committed<{ id: string }>>('POST', '/v1/claims', claimRequest(commute, credential), 201));
      for (const org of [2, 3]) {
        await settled(await world.client(org, 'User2').json<Committed>('POST', `/v1/claims/${claim.result.id}/verifications`, { decision: 'approve', assessedQuantity: quantity, reportHash: reportHash() }, 201));
      }
      const validator = submitter === 2 ? 3 : 2;
      const proof = await world.client(validator, 'User4').json<Committed<{ id: string }>>('POST', `/v1/claims/${claim.result.id}/validation`, { quantity }, 201);
      proofs.push(proof.result.id);
      return { id: proof.result.id, issuedAt: Date.now() };
    }

    /** Waits until org `org` sees the proof settled by the campaign; the settlement's ledger lag behind issuance, ms. */
    async function settledByWorker(proofId: string, org = 2, timeoutMs = 120_000): Promise<number> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const answer = await world.client(org, 'User5').request('GET', `/v1/proofs/${proofId}/settlement`);
        if (answer.status === 200) {
          expect(answer.body.campaignId).to.equal(campaignId);
          const proof = await world.client(org, 'User5').json<{ issuedAt: string }>('GET', `/v1/proofs/${proofId}`, undefined, 200);
          return Date.parse(String(answer.body.timestamp)) - Date.parse(proof.issuedAt);
        }
        if (Date.now() > until) throw new Error(`proof ${proofId} was not settled within ${timeoutMs} ms`);
        await delay(250);
      }
    }

    before(async () => {
      issuer = await newIssuer();
      const suffix = randomBytes(4).toString('hex');
      const admin = world.client(1, 'Admin');
      const definition = {
        id: `commute-auto-${suffix}`, version: 1, title: 'Commute (auto settlement e2e)', category: `commute-auto-${suffix}`, unit: 'gCO2e', pillar: 'B', sdgTargets: ['11.2'],
        minProofLevel: 'declared', verifiers: [1, 2, 3].map((org) => world.identity(org, 'User2')), quorum: 2, validators: [2, 3].map((org) => world.identity(org, 'User4')),
        trustedIssuers: [issuer.controller], subjectSchema: SUBJECT_SCHEMA, quantityField: 'quantity',
        periodFields: { start: 'activityPeriodStart', end: 'activityPeriodEnd' },
        additionality: { method: { baseline: 'car', counterfactual: 'no allowance', emissionFactors: [{ name: 'car', value: '0.218', unit: 'kgCO2e/km', source: 'ADEME' }] } },
      };
      await admin.json('POST', '/v1/protocols', definition, 201);
      await settled(await admin.json<Committed>('POST', `/v1/protocols/${definition.id}/versions/1/activate`, undefined, 200));
      commute = { id: definition.id, version: 1, category: definition.category };
      await settled(await world.client(1, 'User5').json<Committed<{ settlementMode: string }>>('POST', '/v1/campaigns', {
        id: campaignId, name: 'automatic bike allowance', protocols: [commute.id], currency: 'EUR', budget: 1_000_000, pricePerUnit: 1, settlementMode: 'automatic',
        criteria: { periodStart: '2025-01-01', periodEnd: '2025-12-31' },
      }, 201));
    });

    it('settles each eligible proof as it is issued, signed as the funder\'s service account', async () => {
      for (let i = 0; i < 3; i++) {
        const proof = await commuteProof(1, 1000 + i);
        lags.push(await settledByWorker(proof.id));
      }
      const campaign = await world.client(3, 'User5').json<{ campaign: { settlementMode: string; funder: string }; progress: { settlements: number; settled: number } }>('GET', `/v1/campaigns/${campaignId}`, undefined, 200);
      expect(campaign.campaign).to.include({ settlementMode: 'automatic', funder: world.identity(1, 'User5') });
      expect(campaign.progress).to.include({ settlements: 3, settled: 3003 });
      console.log(`      worker lag behind issuance (settlement tx time - issuance tx time): ${stats(lags)}`);
    });

    it('stopped mid-way and restarted: nothing settles twice, nothing is missed', async () => {
      const org1 = world.gateways[0];
      if (org1 === undefined) throw new Error('no org 1');
      // three proofs issued back to back, and the worker's gateway stopped while it settles them
      const burst = await Promise.all([commuteProof(1, 2000), commuteProof(2, 2001), commuteProof(2, 2002)]);
      await org1.running.close();
      const checkpointFile = path.join(org1.config.dataDir, 'settlement-worker.json');
      const stoppedAt = JSON.parse(readFileSync(checkpointFile, 'utf8')) as { block: number; index: number };
      // issued while the worker is down (through orgs 2 and 3)
      const whileDown = [await commuteProof(2, 3000), await commuteProof(2, 3001)];
      const restartedAt = Date.now();
      org1.running = await startGateway(org1.config, { logger: false });
      for (const proof of [...burst, ...whileDown]) await settledByWorker(proof.id);
      console.log(`      after a restart, the worker caught up ${burst.length + whileDown.length} proofs in ${Date.now() - restartedAt} ms (checkpoint was block ${stoppedAt.block})`);
      const progress = await world.client(2, 'User5').json<{ progress: { settlements: number; settled: number } }>('GET', `/v1/campaigns/${campaignId}`, undefined, 200);
      expect(progress.progress).to.include({ settlements: 8, settled: 3003 + 6003 + 6001 });
      const settlements = await world.client(2, 'User5').json<{ records?: { proofId: string }[] } | { proofId: string }[]>('GET', `/v1/campaigns/${campaignId}/settlements`, undefined, 200);
      const ids = (Array.isArray(settlements) ? settlements : settlements.records ?? []).map((s) => s.proofId);
      expect([...ids].sort()).to.deep.equal([...proofs].sort());
      const events = await world.client(1, 'User5').events({ from: 'start', until: () => false, timeoutMs: 3000 });
      const settledEvents = events.filter((e) => e.data.name === 'ProofSettled' && (e.data.payload as { campaignId?: string }).campaignId === campaignId);
      expect(settledEvents.map((e) => (e.data.payload as { proofId: string }).proofId).sort(), 'one ProofSettled per proof').to.deep.equal([...proofs].sort());
      const after = JSON.parse(readFileSync(checkpointFile, 'utf8')) as { block: number };
      expect(after.block).to.be.greaterThan(stoppedAt.block);
    });

    it('a second settlement of a proof the worker settled is refused (ALREADY_SETTLED)', async () => {
      const again = await world.client(1, 'User5').request('POST', `/v1/campaigns/${campaignId}/settlements`, { proofId: proofs[0] });
      expect([again.status, again.body.code]).to.deep.equal([409, 'ALREADY_SETTLED']);
    });
  });
});
