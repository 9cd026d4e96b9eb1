/**
 * Routes `/v1/reports`: the carbon result of a financing and the PCAF attribution of holdings,
 * computed by the gateway from declared inputs (each figure with its source); every report
 * carries the sha256 of its canonical inputs.
 */
import { Type } from '@sinclair/typebox';
import { ApiError } from '../problem.js';
import { carbonResult, ReportInputError, type CarbonResultInputs } from '../reports/carbon-result.js';
import { pcafReport, type HoldingInputs } from '../reports/pcaf.js';
import type { RouteContext, TypedApp } from './context.js';
import { RecordSchema, responses } from './schemas.js';

const Declared = Type.Object({
  value: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  source: Type.String({ minLength: 1, maxLength: 512, description: 'where the figure comes from (report, registry, audit ...)' }),
}, { additionalProperties: false });

const CarbonBody = Type.Object({
  label: Type.String({ minLength: 1, maxLength: 256 }),
  quantityBefore: Declared, quantityAfter: Declared,
  factorBefore: Declared, factorAfter: Declared,
  marketShare: Type.Optional(Type.Object({ shareBefore: Declared, shareAfter: Declared, marketQuantity: Declared, marketFactor: Declared }, { additionalProperties: false })),
  discount: Type.Optional(Type.Object({ rateBps: Declared, years: Declared }, { additionalProperties: false })),
  totalFinancing: Type.Optional(Declared),
  funders: Type.Optional(Type.Array(Type.Object({ name: Type.String({ minLength: 1, maxLength: 256 }), financed: Declared }, { additionalProperties: false }), { maxItems: 100 })),
}, { additionalProperties: false, description: 'quantities in tonnes, factors in kgCO2e per tonne, shares and rates in basis points, amounts in minor units' });

const Holding = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 256 }),
  outstanding: Declared, evic: Declared, emissionsKg: Declared,
  option: Type.Union([Type.Literal('own-footprint'), Type.Literal('hybrid'), Type.Literal('sector-model')]),
  verified: Type.Optional(Type.Boolean()),
  sectorBasis: Type.Optional(Type.Union([Type.Literal('revenue'), Type.Literal('asset')])),
}, { additionalProperties: false });

function computed<T>(compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof ReportInputError) throw new ApiError(422, 'INVALID_REPORT_INPUT', error.message, { field: error.field });
    throw error;
  }
}

/** Registers the report routes. */
export function reportRoutes(app: TypedApp, _context: RouteContext): void {
  app.post('/v1/reports/carbon-result', {
    schema: {
      tags: ['reports'], summary: 'Carbon result of a financing: client and producer parts, market-share term, present value, pass-through to funders',
      body: CarbonBody, response: responses({ 200: RecordSchema }, [400, 401, 422]),
    },
  }, async (request) => computed(() => carbonResult(request.body as CarbonResultInputs)));

  app.post('/v1/reports/pcaf', {
    schema: {
      tags: ['reports'], summary: 'PCAF attribution factor, financed emissions and data-quality score (1-5) per holding, with the calculation option named',
      body: Type.Object({ holdings: Type.Array(Holding, { minItems: 1, maxItems: 500 }) }, { additionalProperties: false }),
      response: responses({ 200: RecordSchema }, [400, 401, 422]),
    },
  }, async (request) => computed(() => pcafReport(request.body.holdings as HoldingInputs[])));
}
