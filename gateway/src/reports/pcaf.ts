/**
 * PCAF attribution and data quality per holding (Partnership for Carbon Accounting Financials,
 * listed equity and corporate bonds / business loans): the attribution factor is outstanding
 * amount / (enterprise value including cash, or total equity + debt for private companies), the
 * financed emissions are factor x the company's emissions, and the data-quality score (1 best ..
 * 5 worst) follows from the calculation option:
 *
 * | option           | what is used                                       | uncertainty | score                       |
 * |------------------|----------------------------------------------------|-------------|-----------------------------|
 * | own-footprint    | the participation's own reported emissions         | low         | 1 if verified, 2 otherwise  |
 * | hybrid           | own physical activity data x emission factors      | medium      | 3                           |
 * | sector-model     | a sector model (emissions per revenue or per asset)| high        | 4 per revenue, 5 per asset  |
 */
import type { Declared } from './inputs.js';
import { inputsHash } from './inputs.js';
import { ReportInputError } from './carbon-result.js';

/** The three calculation options. */
export const PCAF_OPTIONS = ['own-footprint', 'hybrid', 'sector-model'] as const;
/** A calculation option. */
export type PcafOption = (typeof PCAF_OPTIONS)[number];

/** One holding's declared inputs. */
export interface HoldingInputs {
  readonly name: string;
  /** Outstanding amount financed, minor units. */
  readonly outstanding: Declared;
  /** Enterprise value including cash (listed) or total equity + debt (private), minor units. */
  readonly evic: Declared;
  /** The company's emissions, kgCO2e (scope 1 + 2). */
  readonly emissionsKg: Declared;
  readonly option: PcafOption;
  /** own-footprint: whether a third party verified the reported emissions. */
  readonly verified?: boolean;
  /** sector-model: the model's basis. */
  readonly sectorBasis?: 'revenue' | 'asset';
}

/** One holding in the report. */
export interface HoldingResult {
  readonly name: string;
  readonly option: PcafOption;
  readonly optionName: string;
  readonly uncertainty: 'low' | 'medium' | 'high';
  readonly dataQualityScore: 1 | 2 | 3 | 4 | 5;
  /** outstanding / evic, 6 decimals. */
  readonly attributionFactor: number;
  readonly financedEmissionsKg: number;
}

/** The portfolio report. */
export interface PcafReport {
  readonly standard: 'PCAF Global GHG Accounting and Reporting Standard, Part A';
  readonly holdings: readonly HoldingResult[];
  readonly financedEmissionsKg: number;
  /** Outstanding-weighted average data-quality score, 2 decimals. */
  readonly weightedDataQualityScore: number;
  readonly inputs: readonly HoldingInputs[];
  readonly inputsSha256: string;
}

const OPTION_NAMES: Readonly<Record<PcafOption, string>> = {
  'own-footprint': "option 1: the participation's own footprint (reported emissions)",
  hybrid: 'option 2: hybrid (own physical activity data x emission factors)',
  'sector-model': 'option 3: sector model (economic activity x sector emission factors)',
};

/** The data-quality score and uncertainty of a holding's option. */
export function dataQuality(holding: Pick<HoldingInputs, 'option' | 'verified' | 'sectorBasis'>): { score: 1 | 2 | 3 | 4 | 5; uncertainty: 'low' | 'medium' | 'high' } {
  switch (holding.option) {
    case 'own-footprint': return { score: holding.verified === true ? 1 : 2, uncertainty: 'low' };
    case 'hybrid': return { score: 3, uncertainty: 'medium' };
    case 'sector-model': return { score: holding.sectorBasis === 'asset' ? 5 : 4, uncertainty: 'high' };
  }
}

/** The attribution factor outstanding / EVIC (refused when the EVIC is not positive or is smaller). */
export function attributionFactor(outstanding: number, evic: number, field = 'evic'): number {
  if (evic <= 0) throw new ReportInputError(field, 'must be > 0');
  if (outstanding > evic) throw new ReportInputError(field, `is smaller than the outstanding amount ${outstanding}`);
  return outstanding / evic;
}

/** The PCAF report of the holdings. */
export function pcafReport(holdings: readonly HoldingInputs[]): PcafReport {
  const results = holdings.map((h, i): HoldingResult => {
    const factor = attributionFactor(h.outstanding.value, h.evic.value, `holdings[${i}].evic`);
    const quality = dataQuality(h);
    return {
      name: h.name, option: h.option, optionName: OPTION_NAMES[h.option], uncertainty: quality.uncertainty, dataQualityScore: quality.score,
      attributionFactor: Math.round(factor * 1e6) / 1e6, financedEmissionsKg: Math.round(factor * h.emissionsKg.value),
    };
  });
  const outstanding = holdings.reduce((sum, h) => sum + h.outstanding.value, 0);
  const weighted = outstanding === 0 ? 0 : holdings.reduce((sum, h, i) => sum + h.outstanding.value * (results[i]?.dataQualityScore ?? 0), 0) / outstanding;
  return {
    standard: 'PCAF Global GHG Accounting and Reporting Standard, Part A',
    holdings: results,
    financedEmissionsKg: results.reduce((sum, r) => sum + r.financedEmissionsKg, 0),
    weightedDataQualityScore: Math.round(weighted * 100) / 100,
    inputs: holdings,
    inputsSha256: inputsHash(holdings),
  };
}
