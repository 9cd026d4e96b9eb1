/**
 * Carbon result of a financing (docs/domain.md, the seed method), computed off-ledger from declared
 * inputs. Sign convention: a result is emissions AVOIDED, in kgCO2e (positive is good).
 *
 * - content = quantity x emission factor;
 * - a year's change of content splits exactly into the client part, -(q1 - q0) x f1 (the
 *   clients' demand moved), and the producer part, -(f1 - f0) x q0 (the producer's process moved);
 *   with 100 kt of steel at 1.8 then 112 kt at 1.7: clients -20.4 kt (~ -20 kt), producers +10 kt;
 * - an optional market-share term: -(s1 - s0) x market quantity x (own factor - market factor):
 *   gaining share with a cleaner product than the market's avoids emissions;
 * - a carbon discount rate r gives the present value of a result `years` ahead: R / (1 + r)^years;
 * - results pass through to funders pro rata to what they financed (financed / total financing).
 *
 * Quantities are integers (tonnes of product), factors integers (kgCO2e per tonne), shares in
 * basis points, amounts in integer minor units: the parts are exact integers of kgCO2e; only the
 * market term's share division, the present value and the pass-through are rounded (to the kg).
 */
import type { Declared } from './inputs.js';
import { inputsHash } from './inputs.js';

/** The declared inputs of one financing's carbon result. */
export interface CarbonResultInputs {
  readonly label: string;
  /** Product quantity, tonnes: previous and current year. */
  readonly quantityBefore: Declared;
  readonly quantityAfter: Declared;
  /** Emission factor, kgCO2e per tonne: previous and current year. */
  readonly factorBefore: Declared;
  readonly factorAfter: Declared;
  readonly marketShare?: {
    /** Basis points of the market. */
    readonly shareBefore: Declared;
    readonly shareAfter: Declared;
    /** Market size, tonnes. */
    readonly marketQuantity: Declared;
    /** Market average factor, kgCO2e per tonne. */
    readonly marketFactor: Declared;
  };
  /** Carbon discount rate in basis points per year, and how many years ahead the result falls. */
  readonly discount?: { readonly rateBps: Declared; readonly years: Declared };
  /** The financing's total (e.g. enterprise value including cash), minor units. */
  readonly totalFinancing?: Declared;
  /** What each funder financed, minor units. */
  readonly funders?: readonly { readonly name: string; readonly financed: Declared }[];
}

/** A funder's share of the result. */
export interface PassThrough {
  readonly name: string;
  readonly financed: number;
  /** financed / total financing, as a decimal (6 digits). */
  readonly share: number;
  readonly clientPartKg: number;
  readonly producerPartKg: number;
  readonly marketPartKg: number;
  readonly totalKg: number;
}

/** The report. */
export interface CarbonResult {
  readonly method: 'impact-ledger seed method v1';
  readonly label: string;
  readonly unit: 'kgCO2e avoided';
  readonly contentBeforeKg: number;
  readonly contentAfterKg: number;
  readonly clientPartKg: number;
  readonly producerPartKg: number;
  readonly marketPartKg: number;
  readonly totalKg: number;
  readonly presentValueKg: number;
  readonly discount: { readonly rateBps: number; readonly years: number; readonly factor: number };
  readonly passThrough: readonly PassThrough[];
  readonly inputs: CarbonResultInputs;
  /** sha256 of the RFC 8785 canonical JSON of `inputs`. */
  readonly inputsSha256: string;
}

/** A refusal of the inputs (mapped to 422 by the route). */
export class ReportInputError extends Error {
  constructor(readonly field: string, reason: string) {
    super(`${field}: ${reason}`);
    this.name = 'ReportInputError';
  }
}

function safe(value: number, field: string): number {
  if (!Number.isSafeInteger(value)) throw new ReportInputError(field, 'the result leaves the safe integer range');
  return value;
}

/** Avoided emissions (negative of the change in content) or 0 without a negative zero. */
function avoided(change: number): number {
  return change === 0 ? 0 : -change;
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function passThrough(inputs: CarbonResultInputs, parts: { client: number; producer: number; market: number }): PassThrough[] {
  const funders = inputs.funders ?? [];
  if (funders.length === 0) return [];
  const total = inputs.totalFinancing?.value ?? funders.reduce((sum, f) => sum + f.financed.value, 0);
  const financed = funders.reduce((sum, f) => sum + f.financed.value, 0);
  if (total <= 0) throw new ReportInputError('totalFinancing', 'must be > 0');
  if (financed > total) throw new ReportInputError('funders', `finance ${financed}, more than the total financing ${total}`);
  return funders.map((f) => {
    const share = f.financed.value / total;
    const client = Math.round(parts.client * share);
    const producer = Math.round(parts.producer * share);
    const market = Math.round(parts.market * share);
    return { name: f.name, financed: f.financed.value, share: round6(share), clientPartKg: client, producerPartKg: producer, marketPartKg: market, totalKg: client + producer + market };
  });
}

/** Computes the carbon result of one financing from its declared inputs. */
export function carbonResult(inputs: CarbonResultInputs): CarbonResult {
  const q0 = inputs.quantityBefore.value;
  const q1 = inputs.quantityAfter.value;
  const f0 = inputs.factorBefore.value;
  const f1 = inputs.factorAfter.value;
  const client = safe(avoided((q1 - q0) * f1), 'quantityAfter');
  const producer = safe(avoided((f1 - f0) * q0), 'factorAfter');
  let market = 0;
  if (inputs.marketShare) {
    const m = inputs.marketShare;
    market = Math.round(avoided(((m.shareAfter.value - m.shareBefore.value) * m.marketQuantity.value * (f1 - m.marketFactor.value)) / 10_000)) || 0;
  }
  const total = client + producer + market;
  const rateBps = inputs.discount?.rateBps.value ?? 0;
  const years = inputs.discount?.years.value ?? 0;
  const factor = 1 / (1 + rateBps / 10_000) ** years;
  return {
    method: 'impact-ledger seed method v1',
    label: inputs.label,
    unit: 'kgCO2e avoided',
    contentBeforeKg: safe(q0 * f0, 'quantityBefore'),
    contentAfterKg: safe(q1 * f1, 'quantityAfter'),
    clientPartKg: client,
    producerPartKg: producer,
    marketPartKg: market,
    totalKg: total,
    presentValueKg: Math.round(total * factor) || 0,
    discount: { rateBps, years, factor: round6(factor) },
    passThrough: passThrough(inputs, { client, producer, market }),
    inputs,
    inputsSha256: inputsHash(inputs),
  };
}
