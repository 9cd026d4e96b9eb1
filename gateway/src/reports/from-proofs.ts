/**
 * The funders' reports with their inputs read from proofs (evidence.ts), as plain functions over
 * what the ledger adapter read: the carbon result of a financing (carbon-result.ts, unchanged
 * computation) and the PCAF report (pcaf.ts) with the data-quality score following from where
 * each holding's emissions come from.
 */
import { carbonResult, ReportInputError, type CarbonResult, type CarbonResultInputs } from './carbon-result.js';
import { asDeclared, proofIdsOf, resolveInputs, type InputOrigin, type InputRef, type InputRule, type ProofEvidence, type ResolveOptions } from './evidence.js';
import type { Declared } from './inputs.js';
import { inputsHash } from './inputs.js';
import { attributionFactor, dataQuality, type PcafOption, type PcafReport } from './pcaf.js';

/** Units of the annual production data protocols (demo/production-data.ts). */
export const REPORT_UNITS = { quantity: 't', factor: 'kgCO2e/t', share: 'bps', emissions: 'kgCO2e' } as const;

/** The carbon-result request: each figure declared or a proof id. */
export interface CarbonResultRequest {
  readonly label: string;
  /** The producer's subject id: links its proofs across categories (never stored or returned). */
  readonly producer?: string;
  /** A proof input retired for this beneficiary is accepted (the report's own retirement). */
  readonly beneficiary?: string;
  readonly quantityBefore: InputRef;
  readonly quantityAfter: InputRef;
  readonly factorBefore: InputRef;
  readonly factorAfter: InputRef;
  readonly marketShare?: { readonly shareBefore: InputRef; readonly shareAfter: InputRef; readonly marketQuantity: InputRef; readonly marketFactor: InputRef };
  readonly discount?: { readonly rateBps: Declared; readonly years: Declared };
  readonly totalFinancing?: Declared;
  readonly funders?: readonly { readonly name: string; readonly financed: Declared }[];
}

const CARBON_RULES: Readonly<Record<string, InputRule>> = {
  quantityBefore: { unit: REPORT_UNITS.quantity, yearOffset: 0, producer: true },
  quantityAfter: { unit: REPORT_UNITS.quantity, yearOffset: 1, producer: true },
  factorBefore: { unit: REPORT_UNITS.factor, yearOffset: 0, producer: true },
  factorAfter: { unit: REPORT_UNITS.factor, yearOffset: 1, producer: true },
  'marketShare.shareBefore': { unit: REPORT_UNITS.share, yearOffset: 0, producer: true },
  'marketShare.shareAfter': { unit: REPORT_UNITS.share, yearOffset: 1, producer: true },
  'marketShare.marketQuantity': { unit: REPORT_UNITS.quantity, yearOffset: 1, producer: false },
  'marketShare.marketFactor': { unit: REPORT_UNITS.factor, yearOffset: 1, producer: false },
};

function carbonRefs(request: CarbonResultRequest): Record<string, InputRef> {
  const m = request.marketShare;
  return {
    quantityBefore: request.quantityBefore, quantityAfter: request.quantityAfter, factorBefore: request.factorBefore, factorAfter: request.factorAfter,
    ...(m ? { 'marketShare.shareBefore': m.shareBefore, 'marketShare.shareAfter': m.shareAfter, 'marketShare.marketQuantity': m.marketQuantity, 'marketShare.marketFactor': m.marketFactor } : {}),
  };
}

/** The proof ids a carbon-result request names. */
export function carbonProofIds(request: CarbonResultRequest): string[] {
  return proofIdsOf(Object.values(carbonRefs(request)));
}

/** The carbon result with, for each input, where it comes from (declared, or proof, transaction and block). */
export interface ProvenCarbonResult extends CarbonResult {
  readonly evidence: Readonly<Record<string, InputOrigin>>;
  /** The proofs the report used, sorted. */
  readonly proofs: readonly string[];
}

function required(resolved: Record<string, InputOrigin>, field: string): Declared {
  const input = resolved[field];
  if (input === undefined) throw new ReportInputError(field, 'is missing');
  return asDeclared(input);
}

/** Computes the carbon result from declared figures and checked proofs (`evidence`: what the ledger holds for each proof named). */
export function carbonResultFromProofs(request: CarbonResultRequest, evidence: ReadonlyMap<string, ProofEvidence>, options: ResolveOptions = {}): ProvenCarbonResult {
  const resolved = resolveInputs(carbonRefs(request), CARBON_RULES, evidence, options);
  const inputs: CarbonResultInputs = {
    label: request.label,
    quantityBefore: required(resolved, 'quantityBefore'), quantityAfter: required(resolved, 'quantityAfter'),
    factorBefore: required(resolved, 'factorBefore'), factorAfter: required(resolved, 'factorAfter'),
    ...(request.marketShare ? { marketShare: {
      shareBefore: required(resolved, 'marketShare.shareBefore'), shareAfter: required(resolved, 'marketShare.shareAfter'),
      marketQuantity: required(resolved, 'marketShare.marketQuantity'), marketFactor: required(resolved, 'marketShare.marketFactor'),
    } } : {}),
    ...(request.discount ? { discount: request.discount } : {}),
    ...(request.totalFinancing ? { totalFinancing: request.totalFinancing } : {}),
    ...(request.funders ? { funders: request.funders } : {}),
  };
  return { ...carbonResult(inputs), evidence: resolved, proofs: carbonProofIds(request) };
}

/** One holding of the PCAF request. */
export interface HoldingRequest {
  readonly name: string;
  /** Outstanding amount, minor units; or `campaignId`: what the campaign settled (the financing recorded on the ledger). */
  readonly outstanding?: Declared;
  readonly campaignId?: string;
  readonly evic: Declared;
  /** The company's emissions, kgCO2e: declared, or a proof of verified emissions. */
  readonly emissionsKg?: InputRef;
  /** Or activity data (tonnes produced) x emission factor (kgCO2e per tonne), each declared or a proof. */
  readonly activity?: { readonly quantity: InputRef; readonly factor: InputRef };
  /** The producer's subject id, linking activity and factor proofs of different categories. */
  readonly producer?: string;
  /** For declared emissions: the PCAF option they follow (default sector-model). */
  readonly option?: PcafOption;
  readonly verified?: boolean;
  readonly sectorBasis?: 'revenue' | 'asset';
}

/** A campaign's financing as the ledger records it. */
export interface CampaignFinancing {
  readonly campaignId: string;
  readonly currency: string;
  /** What the campaign settled, minor units. */
  readonly settled: number;
  readonly settlements: number;
}

/** Where a holding's emissions come from, and the score it gives. */
export type EmissionsBasis = 'verified-emissions-proof' | 'verified-activity-x-factor' | 'declared';

/** One holding of the report. */
export interface ProvenHolding {
  readonly name: string;
  readonly basis: EmissionsBasis;
  readonly option: PcafOption;
  readonly dataQualityScore: 1 | 2 | 3 | 4 | 5;
  readonly uncertainty: 'low' | 'medium' | 'high';
  readonly attributionFactor: number;
  readonly outstanding: InputOrigin | { readonly origin: 'campaign'; readonly value: number; readonly campaignId: string; readonly currency: string; readonly settlements: number };
  readonly emissionsKg: number;
  readonly financedEmissionsKg: number;
  readonly evidence: Readonly<Record<string, InputOrigin>>;
  readonly proofs: readonly string[];
}

/** The PCAF report from provenance: the portfolio report's totals, its holdings with their evidence and the proofs used. */
export interface ProvenPcafReport extends Omit<PcafReport, 'holdings' | 'inputs'> {
  readonly holdings: readonly ProvenHolding[];
  readonly proofs: readonly string[];
}

/** The proof ids a holding names. */
export function holdingProofIds(holding: HoldingRequest): string[] {
  return proofIdsOf([holding.emissionsKg, holding.activity?.quantity, holding.activity?.factor].filter((r): r is InputRef => r !== undefined));
}

/**
 * The data-quality score of a holding from where its emissions come from: a proof of verified
 * emissions scores 1 (PCAF option 1a, verified reported emissions), verified activity data x an
 * emission factor 2 (option 2a, primary physical activity data with factors specific to it);
 * declared figures are not traceable on the ledger and score as estimates: 4, or 5 for an
 * asset-based sector model.
 */
export function provenDataQuality(basis: EmissionsBasis, holding: Pick<HoldingRequest, 'sectorBasis'>): { score: 1 | 2 | 4 | 5; uncertainty: 'low' | 'medium' | 'high'; option: PcafOption } {
  switch (basis) {
    case 'verified-emissions-proof': return { score: 1, uncertainty: 'low', option: 'own-footprint' };
    case 'verified-activity-x-factor': return { score: 2, uncertainty: 'medium', option: 'hybrid' };
    case 'declared': return { score: dataQuality({ option: 'sector-model', ...(holding.sectorBasis ? { sectorBasis: holding.sectorBasis } : {}) }).score === 5 ? 5 : 4, uncertainty: 'high', option: 'sector-model' };
  }
}

function holdingOf(holding: HoldingRequest, index: number, evidence: ReadonlyMap<string, ProofEvidence>, campaigns: ReadonlyMap<string, CampaignFinancing>, options: ResolveOptions): ProvenHolding {
  const at = `holdings[${index}]`;
  let emissions: number;
  let basis: EmissionsBasis;
  let resolved: Record<string, InputOrigin>;
  if (holding.activity !== undefined) {
    if (holding.emissionsKg !== undefined) throw new ReportInputError(`${at}.emissionsKg`, 'give emissions or activity x factor, not both');
    resolved = resolveInputs({ 'activity.quantity': holding.activity.quantity, 'activity.factor': holding.activity.factor }, {
      'activity.quantity': { unit: REPORT_UNITS.quantity, yearOffset: 0, producer: true },
      'activity.factor': { unit: REPORT_UNITS.factor, yearOffset: 0, producer: true },
    }, evidence, options);
    const q = resolved['activity.quantity'];
    const f = resolved['activity.factor'];
    if (q === undefined || f === undefined) throw new ReportInputError(`${at}.activity`, 'is incomplete');
    emissions = q.value * f.value;
    if (!Number.isSafeInteger(emissions)) throw new ReportInputError(`${at}.activity`, 'the emissions leave the safe integer range');
    basis = q.origin === 'proof' ? 'verified-activity-x-factor' : 'declared';
  } else if (holding.emissionsKg !== undefined) {
    resolved = resolveInputs({ emissionsKg: holding.emissionsKg }, { emissionsKg: { unit: REPORT_UNITS.emissions, yearOffset: 0, producer: true } }, evidence, options);
    const e = resolved.emissionsKg;
    if (e === undefined) throw new ReportInputError(`${at}.emissionsKg`, 'is missing');
    emissions = e.value;
    basis = e.origin === 'proof' ? 'verified-emissions-proof' : 'declared';
  } else {
    throw new ReportInputError(`${at}.emissionsKg`, 'give emissions (declared or a proof) or activity x factor');
  }
  let outstanding: ProvenHolding['outstanding'];
  if (holding.campaignId !== undefined) {
    if (holding.outstanding !== undefined) throw new ReportInputError(`${at}.outstanding`, 'give the outstanding amount or the campaign that records it, not both');
    const campaign = campaigns.get(holding.campaignId);
    if (campaign === undefined) throw new Error(`no financing read for campaign ${holding.campaignId}`);
    outstanding = { origin: 'campaign', value: campaign.settled, campaignId: campaign.campaignId, currency: campaign.currency, settlements: campaign.settlements };
  } else if (holding.outstanding !== undefined) {
    outstanding = { origin: 'declared', value: holding.outstanding.value, source: holding.outstanding.source };
  } else {
    throw new ReportInputError(`${at}.outstanding`, 'give the outstanding amount or the campaign that records it');
  }
  const factor = attributionFactor(outstanding.value, holding.evic.value, `${at}.evic`);
  const quality = provenDataQuality(basis, holding);
  return {
    name: holding.name, basis, option: quality.option, dataQualityScore: quality.score, uncertainty: quality.uncertainty,
    attributionFactor: Math.round(factor * 1e6) / 1e6, outstanding, emissionsKg: emissions, financedEmissionsKg: Math.round(factor * emissions),
    evidence: resolved, proofs: holdingProofIds(holding),
  };
}

/** The PCAF report of holdings whose emissions and financing may come from the ledger. */
export function pcafReportFromProofs(holdings: readonly HoldingRequest[], evidence: ReadonlyMap<string, ProofEvidence>, campaigns: ReadonlyMap<string, CampaignFinancing>,
  producerPseudonym?: (holding: HoldingRequest) => ((category: string) => string) | undefined): ProvenPcafReport {
  const results = holdings.map((h, i) => {
    const pseudonym = producerPseudonym?.(h);
    return holdingOf(h, i, evidence, campaigns, pseudonym ? { producerPseudonym: pseudonym } : {});
  });
  const outstanding = results.reduce((sum, h) => sum + h.outstanding.value, 0);
  const weighted = outstanding === 0 ? 0 : results.reduce((sum, h) => sum + h.outstanding.value * h.dataQualityScore, 0) / outstanding;
  return {
    standard: 'PCAF Global GHG Accounting and Reporting Standard, Part A',
    holdings: results,
    financedEmissionsKg: results.reduce((sum, r) => sum + r.financedEmissionsKg, 0),
    weightedDataQualityScore: Math.round(weighted * 100) / 100,
    proofs: [...new Set(results.flatMap((r) => r.proofs))].sort(),
    inputsSha256: inputsHash({ holdings: results.map((r) => ({ name: r.name, outstanding: r.outstanding, evidence: r.evidence })) }),
  };
}
