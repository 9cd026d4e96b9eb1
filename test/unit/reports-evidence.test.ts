import { expect } from 'chai';
import {
  annualYear, carbonResult, carbonResultFromProofs, pcafReportFromProofs, provenDataQuality, ReportEvidenceError, type CampaignFinancing, type ProofEvidence,
} from '@impact-ledger/gateway';

const hex = (c: string) => c.repeat(64);
const PRODUCER = 'p'.repeat(64);

function proof(id: string, overrides: Partial<ProofEvidence> = {}): ProofEvidence {
  return {
    proofId: id, serial: `IL-${id.slice(0, 4)}`, protocolId: 'annual-production', protocolVersion: 1, category: 'annual-production', unit: 't',
    producerPseudonym: PRODUCER, vintage: { start: '2023-01-01', end: '2023-12-31' }, quantity: 100_000, proofLevel: 'verified', status: 'active', flags: [],
    claimId: hex('c'), verifiers: ['v1', 'v2'], validator: 'val', txId: `tx-${id.slice(0, 4)}`, blockNumber: 7, ...overrides,
  };
}

const factor = { protocolId: 'annual-emission-factor', category: 'annual-emission-factor', unit: 'kgCO2e/t' };
const y2024 = { vintage: { start: '2024-01-01', end: '2024-12-31' } };
const evidence = new Map<string, ProofEvidence>([
  [hex('1'), proof(hex('1'))],
  [hex('2'), proof(hex('2'), { ...y2024, quantity: 112_000 })],
  [hex('3'), proof(hex('3'), { ...factor, quantity: 1800, producerPseudonym: 'f'.repeat(64) })],
  [hex('4'), proof(hex('4'), { ...factor, ...y2024, quantity: 1700, producerPseudonym: 'f'.repeat(64) })],
]);
const steel = {
  label: 'steel maker', quantityBefore: { proofId: hex('1') }, quantityAfter: { proofId: hex('2') }, factorBefore: { proofId: hex('3') }, factorAfter: { proofId: hex('4') },
};
// the producer named: its pseudonym per category (as the gateway derives it from the subject id)
const named = { producerPseudonym: (category: string) => (category === 'annual-production' ? PRODUCER : 'f'.repeat(64)) };

function refusal(run: () => unknown): { code: string; field: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ReportEvidenceError) return { code: error.code, field: error.field };
    throw error;
  }
  throw new Error('not refused');
}

describe('reports from proofs: evidence checks', () => {
  it('the steel example from four proofs equals the declared computation, each input naming its proof, transaction and block', () => {
    const r = carbonResultFromProofs(steel, evidence, named);
    expect([r.clientPartKg, r.producerPartKg]).to.deep.equal([-20_400_000, 10_000_000]);
    const declared = carbonResult({ label: 'steel maker', quantityBefore: { value: 100_000, source: 'x' }, quantityAfter: { value: 112_000, source: 'x' }, factorBefore: { value: 1800, source: 'x' }, factorAfter: { value: 1700, source: 'x' } });
    expect(r.totalKg).to.equal(declared.totalKg);
    expect(r.evidence.quantityBefore).to.include({ origin: 'proof', proofId: hex('1'), txId: 'tx-1111', blockNumber: 7, year: 2023 });
    expect(r.inputs.quantityBefore.source).to.equal(`proof ${hex('1')} (issued in tx tx-1111, block 7)`);
    expect(r.proofs).to.deep.equal([hex('1'), hex('2'), hex('3'), hex('4')]);
  });

  it('declared inputs stay possible, marked declared', () => {
    const r = carbonResultFromProofs({ ...steel, factorAfter: { value: 1700, source: 'annual report' } }, evidence, named);
    expect(r.evidence.factorAfter).to.deep.equal({ origin: 'declared', value: 1700, source: 'annual report' });
    expect(r.producerPartKg).to.equal(10_000_000);
  });

  it('refuses flagged, retired-elsewhere, wrong unit, wrong years and another producer, naming the field', () => {
    const flagged = new Map(evidence).set(hex('2'), proof(hex('2'), { ...y2024, flags: ['flag-1'] }));
    expect(refusal(() => carbonResultFromProofs(steel, flagged, named))).to.deep.equal({ code: 'REPORT_PROOF_FLAGGED', field: 'quantityAfter' });
    const retired = new Map(evidence).set(hex('2'), proof(hex('2'), { ...y2024, quantity: 112_000, status: 'retired', retiredFor: 'another fund' }));
    expect(refusal(() => carbonResultFromProofs(steel, retired, named))).to.deep.equal({ code: 'REPORT_PROOF_RETIRED_ELSEWHERE', field: 'quantityAfter' });
    expect(carbonResultFromProofs(steel, retired, { ...named, beneficiary: 'another fund' }).totalKg).to.equal(-10_400_000);
    expect(refusal(() => carbonResultFromProofs({ ...steel, factorAfter: { proofId: hex('2') } }, evidence, named))).to.deep.equal({ code: 'REPORT_UNIT_MISMATCH', field: 'factorAfter' });
    expect(refusal(() => carbonResultFromProofs({ ...steel, quantityAfter: { proofId: hex('1') } }, evidence, named))).to.deep.equal({ code: 'REPORT_YEAR_MISMATCH', field: 'quantityAfter' });
    const halfYear = new Map(evidence).set(hex('1'), proof(hex('1'), { vintage: { start: '2023-01-01', end: '2023-06-30' } }));
    expect(refusal(() => carbonResultFromProofs(steel, halfYear, named)).code).to.equal('REPORT_YEAR_MISMATCH');
    const other = new Map(evidence).set(hex('2'), proof(hex('2'), { ...y2024, producerPseudonym: 'o'.repeat(64) }));
    expect(refusal(() => carbonResultFromProofs(steel, other, named))).to.deep.equal({ code: 'REPORT_PRODUCER_MISMATCH', field: 'quantityAfter' });
    const declaredFactors = { ...steel, factorBefore: { value: 1800, source: 'x' }, factorAfter: { value: 1700, source: 'x' } };
    expect(refusal(() => carbonResultFromProofs(declaredFactors, other, {})), 'one category: its proofs share one subject').to.deep.equal({ code: 'REPORT_PRODUCER_MISMATCH', field: 'quantityBefore' });
    expect(refusal(() => carbonResultFromProofs(steel, evidence, {})).code, 'two categories, no producer named').to.equal('REPORT_PRODUCER_REQUIRED');
  });

  it('an annual vintage is exactly one calendar year', () => {
    expect(annualYear({ start: '2024-01-01', end: '2024-12-31' })).to.equal(2024);
    expect(annualYear({ start: '2024-01-01', end: '2025-12-31' })).to.equal(undefined);
    expect(annualYear({ start: '2024-02-01', end: '2024-12-31' })).to.equal(undefined);
  });

  it('PCAF: a verified emissions proof scores 1, verified activity x factor 2, declared 4 (5 asset-based); attribution from a campaign', () => {
    expect(provenDataQuality('verified-emissions-proof', {}).score).to.equal(1);
    expect(provenDataQuality('verified-activity-x-factor', {}).score).to.equal(2);
    expect(provenDataQuality('declared', {}).score).to.equal(4);
    expect(provenDataQuality('declared', { sectorBasis: 'asset' }).score).to.equal(5);
    const emissions = new Map(evidence).set(hex('5'), proof(hex('5'), { unit: 'kgCO2e', category: 'annual-emissions', quantity: 190_400_000, ...y2024 }));
    const campaigns = new Map<string, CampaignFinancing>([['loan', { campaignId: 'loan', currency: 'EUR', settled: 250, settlements: 1 }]]);
    const report = pcafReportFromProofs([
      { name: 'a', campaignId: 'loan', evic: { value: 1000, source: 'x' }, emissionsKg: { proofId: hex('5') } },
      { name: 'b', outstanding: { value: 250, source: 'x' }, evic: { value: 1000, source: 'x' }, activity: { quantity: { proofId: hex('2') }, factor: { proofId: hex('4') } } },
      { name: 'c', outstanding: { value: 500, source: 'x' }, evic: { value: 1000, source: 'x' }, emissionsKg: { value: 10_000, source: 'estimate' }, option: 'own-footprint', verified: true },
    ], emissions, campaigns, (h) => (h.name === 'b' ? named.producerPseudonym : undefined));
    expect(report.holdings.map((h) => [h.basis, h.dataQualityScore, h.attributionFactor, h.financedEmissionsKg])).to.deep.equal([
      ['verified-emissions-proof', 1, 0.25, 47_600_000], ['verified-activity-x-factor', 2, 0.25, 47_600_000], ['declared', 4, 0.5, 5000],
    ]);
    expect(report.holdings[0]?.outstanding).to.deep.equal({ origin: 'campaign', value: 250, campaignId: 'loan', currency: 'EUR', settlements: 1 });
    expect(report.proofs).to.deep.equal([hex('2'), hex('4'), hex('5')]);
    expect(report.weightedDataQualityScore).to.equal(2.75);
    const wrongUnit = { name: 'd', outstanding: { value: 1, source: 'x' }, evic: { value: 10, source: 'x' }, emissionsKg: { proofId: hex('1') } };
    expect(refusal(() => pcafReportFromProofs([wrongUnit], emissions, campaigns)).code).to.equal('REPORT_UNIT_MISMATCH');
  });
});
