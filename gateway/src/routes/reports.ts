/**
 * Routes `/v1/reports`: the carbon result of a financing and the PCAF attribution of holdings.
 * Each figure is declared (a value and its source) or read from a Proof of Impact (its id): the
 * gateway reads the proofs on the ledger as the caller (reports/ledger-inputs.ts), refuses flagged,
 * retired-elsewhere or mismatching ones (reports/evidence.ts) and names, for every input, where it
 * comes from (proof, issuance transaction and block); every report carries the sha256 of its
 * canonical inputs.
 */
import { canonicalSubjectId, pseudonymSaltFor, subjectPseudonym } from '@impact-ledger/credentials';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../problem.js';
import { ReportInputError } from '../reports/carbon-result.js';
import { ReportEvidenceError } from '../reports/evidence.js';
import { carbonProofIds, carbonResultFromProofs, holdingProofIds, pcafReportFromProofs, type CarbonResultRequest, type HoldingRequest } from '../reports/from-proofs.js';
import { readCampaignFinancing, readProofEvidence } from '../reports/ledger-inputs.js';
import type { RouteContext, TypedApp } from './context.js';
import { Hex64, RecordSchema, responses } from './schemas.js';

const Declared = Type.Object({
  value: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  source: Type.String({ minLength: 1, maxLength: 512, description: 'where the figure comes from (report, registry, audit ...)' }),
}, { additionalProperties: false });
const ProofRef = Type.Object({ proofId: Hex64 }, { additionalProperties: false, description: 'the figure is the quantity validated by this Proof of Impact' });
const Input = Type.Union([Declared, ProofRef], { description: 'a declared figure with its source, or the id of the proof that holds it' });
const Producer = Type.String({ minLength: 1, maxLength: 2048, description: "the producer's subject id (DID or URL): links its proofs across categories; never stored or returned" });

const CarbonBody = Type.Object({
  label: Type.String({ minLength: 1, maxLength: 256 }),
  producer: Type.Optional(Producer),
  beneficiary: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'a proof input retired for this beneficiary is accepted' })),
  quantityBefore: Input, quantityAfter: Input,
  factorBefore: Input, factorAfter: Input,
  marketShare: Type.Optional(Type.Object({ shareBefore: Input, shareAfter: Input, marketQuantity: Input, marketFactor: Input }, { additionalProperties: false })),
  discount: Type.Optional(Type.Object({ rateBps: Declared, years: Declared }, { additionalProperties: false })),
  totalFinancing: Type.Optional(Declared),
  funders: Type.Optional(Type.Array(Type.Object({ name: Type.String({ minLength: 1, maxLength: 256 }), financed: Declared }, { additionalProperties: false }), { maxItems: 100 })),
}, { additionalProperties: false, description: 'quantities in tonnes (t), factors in kgCO2e per tonne (kgCO2e/t), shares and rates in basis points (bps), amounts in minor units; proofs: annual figures, before = year Y, after = Y + 1' });

const Holding = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256 }),
  outstanding: Type.Optional(Declared),
  campaignId: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$', description: 'the outstanding amount is what this campaign settled' })),
  evic: Declared,
  emissionsKg: Type.Optional(Input),
  activity: Type.Optional(Type.Object({ quantity: Input, factor: Input }, { additionalProperties: false, description: 'tonnes produced x kgCO2e per tonne' })),
  producer: Type.Optional(Producer),
  option: Type.Optional(Type.Union([Type.Literal('own-footprint'), Type.Literal('hybrid'), Type.Literal('sector-model')], { description: 'kept for declared holdings: a declared figure scores 4 (5 asset-based) whatever the option' })),
  verified: Type.Optional(Type.Boolean()),
  sectorBasis: Type.Optional(Type.Union([Type.Literal('revenue'), Type.Literal('asset')])),
}, { additionalProperties: false });

const REPORT_PROBLEMS = [400, 401, 422, 502, 503] as const;

function computed<T>(compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof ReportInputError) throw new ApiError(422, 'INVALID_REPORT_INPUT', error.message, { field: error.field });
    if (error instanceof ReportEvidenceError) throw new ApiError(422, error.code, error.message, { field: error.field, ...(error.proofId ? { proofId: error.proofId } : {}) });
    throw error;
  }
}

/** The pseudonym of `producer` in each category, as the chaincode derives it (422 for an id that is not one). */
function pseudonymsOf(networkSecret: string, producer: string | undefined, field: string): ((category: string) => string) | undefined {
  if (producer === undefined) return undefined;
  const id = canonicalSubjectId(producer);
  if (!id.ok) throw new ApiError(422, 'INVALID_REPORT_INPUT', `${field}: ${id.reason}`, { field });
  return (category) => subjectPseudonym(id.value, pseudonymSaltFor(networkSecret, category));
}

/** Registers the report routes. */
export function reportRoutes(app: TypedApp, context: RouteContext): void {
  const secret = context.services.credentials.networkSecret;

  app.post('/v1/reports/carbon-result', {
    schema: {
      tags: ['reports'], summary: 'Carbon result of a financing from proofs or declared figures: client and producer parts, market-share term, present value, pass-through to funders; each input with its proof, transaction and block',
      body: CarbonBody, response: responses({ 200: RecordSchema }, [...REPORT_PROBLEMS]),
    },
  }, async (request) => {
    const body = request.body as CarbonResultRequest;
    const evidence = await readProofEvidence(context.chaincode(request), context.services.ledger, carbonProofIds(body));
    const producer = pseudonymsOf(secret, body.producer, 'producer');
    return computed(() => carbonResultFromProofs(body, evidence, { ...(producer ? { producerPseudonym: producer } : {}), ...(body.beneficiary ? { beneficiary: body.beneficiary } : {}) }));
  });

  app.post('/v1/reports/pcaf', {
    schema: {
      tags: ['reports'], summary: 'PCAF attribution factor, financed emissions and data-quality score per holding from provenance: a verified emissions proof scores 1, verified activity data x factor 2, declared figures 4-5; the outstanding amount may be what a campaign settled',
      body: Type.Object({ holdings: Type.Array(Holding, { minItems: 1, maxItems: 500 }) }, { additionalProperties: false }),
      response: responses({ 200: RecordSchema }, [...REPORT_PROBLEMS]),
    },
  }, async (request) => {
    const holdings = request.body.holdings as HoldingRequest[];
    const chaincode = context.chaincode(request);
    const evidence = await readProofEvidence(chaincode, context.services.ledger, [...new Set(holdings.flatMap(holdingProofIds))].sort());
    const campaigns = await readCampaignFinancing(chaincode, holdings.flatMap((h) => (h.campaignId === undefined ? [] : [h.campaignId])));
    const producers = holdings.map((h, i) => pseudonymsOf(secret, h.producer, `holdings[${i}].producer`));
    return computed(() => pcafReportFromProofs(holdings, evidence, campaigns, (h) => producers[holdings.indexOf(h)]));
  });
}
