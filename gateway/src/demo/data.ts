/**
 * Demo data of the local network: the commute modal shift protocol (the sustainable-mobility
 * allowance use case), a demo credential issuer and signed demo credentials. The issuer key is
 * derived from a public seed: it is a demo key, known to everyone, never to be trusted outside
 * a local network.
 */
import { createHash } from 'node:crypto';
import { generateIssuerKey, signCredential, type IssuerKeyPair, type JsonObject } from '@impact-ledger/credentials';

/** The public seed of the demo issuer key. */
const DEMO_ISSUER_SEED = 'impact-ledger demo mobility-app issuer: public test key, not for production';

/** ADEME emission factor of the baseline (an average car), in grams of CO2e per km. */
export const CAR_FACTOR_G_PER_KM = 218;

/** The demo credential issuer: a reproducible did:key (a mobility app's signing key). */
export function demoIssuer(): Promise<IssuerKeyPair> {
  return generateIssuerKey({ seed: createHash('sha256').update(DEMO_ISSUER_SEED).digest() });
}

/** Who the protocol designates, as identity strings (from `GET /v1/roles/me` of each user). */
export interface DemoDesignations {
  readonly verifiers: readonly string[];
  readonly validators: readonly string[];
}

/** The commute modal shift protocol, version 1: pillar B, SDG 11.2 and 13.2, quorum 3 of 5 from at
 * least 2 organisations, validated by another organisation than the submitter's. */
export function demoProtocol(issuerDid: string, designated: DemoDesignations): JsonObject {
  return {
    id: 'commute-modal-shift',
    version: 1,
    title: 'Commute modal shift: home-to-work trips by bicycle instead of by car',
    category: 'commute-modal-shift',
    unit: 'gCO2e',
    pillar: 'B',
    sdgTargets: ['11.2', '13.2'],
    minProofLevel: 'computed',
    verifiers: [...designated.verifiers],
    quorum: 3,
    minVerifierOrgs: 2,
    validators: [...designated.validators],
    validatorFromOtherOrg: true,
    trustedIssuers: [issuerDid],
    subjectSchema: {
      type: 'object',
      required: ['id', 'mode', 'baselineMode', 'distanceKm', 'activityPeriodStart', 'activityPeriodEnd', 'quantity', 'unit'],
      properties: {
        id: { type: 'string' },
        mode: { enum: ['bicycle', 'e-bike', 'walking', 'public-transport', 'carpooling'] },
        baselineMode: { const: 'car' },
        distanceKm: { type: 'integer', minimum: 1, maximum: 20000 },
        tripCount: { type: 'integer', minimum: 1 },
        activityPeriodStart: { type: 'string', format: 'date' },
        activityPeriodEnd: { type: 'string', format: 'date' },
        quantity: { type: 'integer', minimum: 1 },
        unit: { const: 'gCO2e' },
      },
    },
    quantityField: 'quantity',
    periodFields: { start: 'activityPeriodStart', end: 'activityPeriodEnd' },
    additionality: {
      method: {
        baseline: 'the same home-to-work distance driven alone in an average car',
        counterfactual: 'without the sustainable-mobility allowance the commuter keeps driving',
        emissionFactors: [
          { name: 'car, average engine', value: '0.218', unit: 'kgCO2e/km', source: 'ADEME Base Empreinte, transport de personnes, voiture motorisation moyenne' },
          { name: 'bicycle', value: '0', unit: 'kgCO2e/km', source: 'ADEME Base Empreinte, vélo (use phase)' },
        ],
      },
    },
  };
}

/** One commuter's month of cycling, before signing. */
export function commuteCredential(issuerDid: string, commuter: number, month: string, distanceKm: number): JsonObject {
  const [year, mm] = month.split('-').map(Number) as [number, number];
  const lastDay = new Date(Date.UTC(year, mm, 0)).getUTCDate();
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://impact-ledger.org/contexts/v1'],
    type: ['VerifiableCredential', 'ImpactClaimCredential', 'CommuteModalShiftCredential'],
    issuer: issuerDid,
    validFrom: `${month}-${String(lastDay).padStart(2, '0')}T23:00:00Z`,
    validUntil: `${year + 1}-${String(mm).padStart(2, '0')}-01T00:00:00Z`,
    credentialSubject: {
      id: `did:example:commuter-${commuter}`,
      mode: 'bicycle',
      baselineMode: 'car',
      distanceKm,
      tripCount: Math.max(1, Math.round(distanceKm / 8)),
      activityPeriodStart: `${month}-01`,
      activityPeriodEnd: `${month}-${String(lastDay).padStart(2, '0')}`,
      quantity: distanceKm * CAR_FACTOR_G_PER_KM,
      unit: 'gCO2e',
    },
  };
}

/** A handful of signed demo credentials: five commuters, one month each. */
export async function demoCredentials(issuer: IssuerKeyPair, month = '2026-03'): Promise<JsonObject[]> {
  const distances = [320, 410, 275, 512, 188];
  return Promise.all(distances.map((km, i) =>
    signCredential(commuteCredential(issuer.controller, i + 1, month, km), issuer, { date: `${month}-28T12:00:00Z` })));
}
