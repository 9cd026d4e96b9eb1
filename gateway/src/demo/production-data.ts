/**
 * Annual production data as claims: a producer's production quantity and emission factor of a
 * year (and a market's size and average factor) are attested by the producer's accountant or
 * auditor in a credential, verified by the quorum and validated like any other claim. The proofs
 * are the inputs of the funders' reports (reports/from-proofs.ts).
 *
 * One protocol per measure, because a proof holds one quantity in one unit and the double-counting
 * index is per (category, subject, day): `annual-production` (tonnes produced in a calendar year),
 * `annual-emission-factor` (kgCO2e per tonne of that year's production) and `annual-emissions`
 * (the producer's verified emissions, kgCO2e, for PCAF). Pseudonyms differ across categories
 * (unlinkable by design); a report links them through the producer's subject id, which the
 * gateway turns into each category's pseudonym.
 */
import type { JsonObject } from '@impact-ledger/credentials';
import type { DemoDesignations } from './data.js';

/** The two measures, with their protocol and unit. */
export const PRODUCTION_MEASURES = {
  quantity: { protocolId: 'annual-production', unit: 't', title: 'Annual production of a producer (tonnes), attested by its accountant or auditor' },
  factor: { protocolId: 'annual-emission-factor', unit: 'kgCO2e/t', title: "Annual emission factor of a producer's product (kgCO2e per tonne), attested by its auditor" },
  emissions: { protocolId: 'annual-emissions', unit: 'kgCO2e', title: "Annual emissions of a producer (scope 1 + 2, kgCO2e), from its audited inventory" },
} as const;

/** A measure of annual production data. */
export type ProductionMeasure = keyof typeof PRODUCTION_MEASURES;

/**
 * The subject schema of a measure: one calendar year, an integer value in the unit. The credential
 * uses the terms of the impact-ledger JSON-LD context (credentials are canonicalised in safe mode:
 * no undefined term), so the year is the activity period and the value the quantity.
 */
export function productionSubjectSchema(measure: ProductionMeasure): JsonObject {
  return {
    type: 'object',
    required: ['id', 'activityPeriodStart', 'activityPeriodEnd', 'quantity', 'unit'],
    properties: {
      id: { type: 'string' },
      activityPeriodStart: { type: 'string', format: 'date', pattern: '^[0-9]{4}-01-01$' },
      activityPeriodEnd: { type: 'string', format: 'date', pattern: '^[0-9]{4}-12-31$' },
      quantity: { type: 'integer', minimum: 1 },
      unit: { const: PRODUCTION_MEASURES[measure].unit },
    },
  };
}

/**
 * The protocol of a measure. `suffix` makes ids and categories unique (tests run many on one
 * network); the demo uses none. Pillar A (the producer's own emissions), SDG 9.4 and 12.2.
 */
export function productionProtocol(measure: ProductionMeasure, auditorDids: readonly string[], designated: DemoDesignations, options: { suffix?: string; quorum?: number } = {}): JsonObject {
  const m = PRODUCTION_MEASURES[measure];
  const id = options.suffix === undefined ? m.protocolId : `${m.protocolId}-${options.suffix}`;
  return {
    id, version: 1, title: m.title, category: id, unit: m.unit, pillar: 'A', sdgTargets: ['9.4', '12.2'], minProofLevel: 'verified',
    verifiers: [...designated.verifiers], quorum: options.quorum ?? 2, validators: [...designated.validators],
    trustedIssuers: [...auditorDids], subjectSchema: productionSubjectSchema(measure), quantityField: 'quantity',
    periodFields: { start: 'activityPeriodStart', end: 'activityPeriodEnd' },
    additionality: { method: {
      baseline: 'not an impact: a measured figure of the producer (production or emission factor) for the funders\' reports',
      counterfactual: 'none: the figure is an input of the carbon result and PCAF reports, never sold or settled as impact',
      emissionFactors: [{ name: 'producer-specific factor', value: '0', unit: 'kgCO2e/t', source: "the producer's audited greenhouse gas inventory" }],
    } },
  };
}

/** An unsigned credential of one measure of a producer for a calendar year. */
export function productionCredential(auditorDid: string, measure: ProductionMeasure, producerId: string, year: number, value: number): JsonObject {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://impact-ledger.org/contexts/v1'],
    type: ['VerifiableCredential', 'ImpactClaimCredential'],
    issuer: auditorDid,
    validFrom: `${year + 1}-03-31T00:00:00Z`,
    credentialSubject: { id: producerId, activityPeriodStart: `${year}-01-01`, activityPeriodEnd: `${year}-12-31`, quantity: value, unit: PRODUCTION_MEASURES[measure].unit },
  };
}
