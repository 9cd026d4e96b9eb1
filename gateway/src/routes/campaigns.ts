/**
 * Routes `/v1/campaigns`: funders open campaigns, change their budget, settle proofs against them
 * and close them (the chaincode checks the funder role and ownership); anyone authenticated reads
 * progress; the funder's accounting downloads the monthly CSV export (columns documented in
 * reports/campaign-export.ts).
 */
import { Type } from '@sinclair/typebox';
import { Readable } from 'node:stream';
import { everyRecord } from '../fabric/chaincode-client.js';
import { campaignExportLines, EXPORT_COLUMNS } from '../reports/campaign-export.js';
import type { RouteContext, TypedApp } from './context.js';
import { pageOf } from './pages.js';
import { committed, Hex64, IdempotencyHeaders, PageQuerySchema, PageSchema, ProtocolId, READ_PROBLEMS, RecordSchema, responses, WRITE_PROBLEMS } from './schemas.js';

const CampaignId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' });
const Params = Type.Object({ id: CampaignId });
const IsoDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' });
const MinorUnits = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

const CampaignBody = Type.Object({
  id: CampaignId,
  name: Type.String({ minLength: 1, maxLength: 256 }),
  protocols: Type.Array(ProtocolId, { minItems: 1, maxItems: 32, uniqueItems: true, description: 'protocol ids the campaign pays for; their versions: criteria.protocolVersions' }),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  budget: Type.Integer({ minimum: 1, description: 'integer minor units (cents)' }),
  pricePerUnit: Type.Integer({ minimum: 1, description: "minor units paid per `pricePer` units of impact (the protocol's unit)" }),
  pricePer: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'units of impact the price buys (default 1); amounts are rounded down' })),
  bufferBps: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'share of each settlement held until close, basis points' })),
  shards: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, description: 'budget tranches (default 8): more tranches, fewer MVCC conflicts between settlements' })),
  settlementMode: Type.Optional(Type.Union([Type.Literal('manual'), Type.Literal('automatic')], {
    description: "manual (default): the funder settles; automatic: the funder's gateway settles each eligible proof as it is issued (settlement worker)",
  })),
  criteria: Type.Object({
    minProofLevel: Type.Optional(Type.Union([Type.Literal('declared'), Type.Literal('computed'), Type.Literal('verified')])),
    periodStart: IsoDate,
    periodEnd: IsoDate,
    msps: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32, description: 'sub-networks whose claims qualify; none = all' })),
    protocolVersions: Type.Optional(Type.Record(ProtocolId, Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 64, uniqueItems: true }), {
      description: 'per protocol id of `protocols`, the versions paid for; a protocol left out is pinned to the versions registered when the campaign opens (a later version is never paid for unless named)',
    })),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

/** Registers the campaign routes. */
export function campaignRoutes(app: TypedApp, context: RouteContext): void {
  app.post('/v1/campaigns', {
    schema: {
      tags: ['campaigns'], summary: 'Open a campaign (funder); the caller becomes its funder', headers: IdempotencyHeaders, body: CampaignBody,
      response: responses({ 201: committed() }, WRITE_PROBLEMS),
    },
  }, (request, reply) => context.mutate(request, reply, 201, () => context.chaincode(request).campaigns.open(request.body)));

  app.get('/v1/campaigns', {
    schema: { tags: ['campaigns'], summary: 'A page of campaigns, in id order', querystring: Type.Object(PageQuerySchema), response: responses({ 200: PageSchema }, READ_PROBLEMS) },
  }, async (request) => pageOf(await context.chaincode(request).campaigns.list(request.query.pageSize ?? 25, request.query.cursor ?? '')));

  app.get('/v1/campaigns/:id', {
    schema: {
      tags: ['campaigns'], summary: 'A campaign and its progress: settled, held in buffer, remaining; impact per pillar and unit and per SDG target (never a cross-pillar sum)',
      params: Params, response: responses({ 200: Type.Object({ campaign: RecordSchema, progress: RecordSchema }) }, READ_PROBLEMS),
    },
  }, (request) => context.chaincode(request).campaigns.progress(request.params.id));

  app.post('/v1/campaigns/:id/budget', {
    schema: {
      tags: ['campaigns'], summary: "Set the campaign's budget (its funder): raise it, or lower it but never below what is settled",
      headers: IdempotencyHeaders, params: Params, body: Type.Object({ budget: MinorUnits }, { additionalProperties: false }),
      response: responses({ 200: committed() }, WRITE_PROBLEMS),
    },
  }, (request, reply) => context.mutate(request, reply, 200, () => context.chaincode(request).campaigns.setBudget(request.params.id, request.body.budget)));

  app.post('/v1/campaigns/:id/close', {
    schema: {
      tags: ['campaigns'], summary: 'Close the campaign (its funder): nothing more is settled, the buffer is released',
      headers: IdempotencyHeaders, params: Params, response: responses({ 200: committed() }, WRITE_PROBLEMS),
    },
  }, (request, reply) => context.mutate(request, reply, 200, () => context.chaincode(request).campaigns.close(request.params.id)));

  app.post('/v1/campaigns/:id/settlements', {
    schema: {
      tags: ['campaigns'], summary: 'Settle an eligible proof against the campaign (its funder): once per proof, never beyond the budget; the proof moves to the funder and is never sold again',
      headers: IdempotencyHeaders, params: Params, body: Type.Object({ proofId: Hex64 }, { additionalProperties: false }),
      response: responses({ 201: committed() }, WRITE_PROBLEMS),
    },
  }, (request, reply) => context.mutate(request, reply, 201, () => context.chaincode(request).campaigns.settle(request.params.id, request.body.proofId)));

  app.get('/v1/campaigns/:id/settlements', {
    schema: {
      tags: ['campaigns'], summary: 'A page of the settlements of the campaign, in proof id order', params: Params, querystring: Type.Object(PageQuerySchema),
      response: responses({ 200: PageSchema }, READ_PROBLEMS),
    },
  }, async (request) => pageOf(await context.chaincode(request).campaigns.settlements(request.params.id, request.query.pageSize ?? 25, request.query.cursor ?? '')));

  app.get('/v1/campaigns/:id/export.csv', {
    schema: {
      tags: ['campaigns'], summary: 'What is owed per producer pseudonym for one month (CSV, RFC 4180, UTF-8)',
      description: `Columns: ${EXPORT_COLUMNS.join(', ')}. One row per producer pseudonym, protocol and unit, for the proofs whose activity started in \`period\`; amounts in integer minor units, \`payable\` as a decimal.`,
      params: Params, querystring: Type.Object({ period: Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' }) }, { additionalProperties: false }),
      produces: ['text/csv'],
      response: responses({ 200: Type.String({ description: 'text/csv; charset=utf-8' }) }, READ_PROBLEMS),
    },
  }, async (request, reply) => {
    const chaincode = context.chaincode(request);
    const { id } = request.params;
    const { period } = request.query;
    const campaign = await chaincode.campaigns.get(id); // 404 before the first byte
    // streamed: the settlements come page by page in the export's row order, one row at a time is held
    const rows = everyRecord((pageSize, bookmark) => chaincode.campaigns.exportRows(id, period, pageSize, bookmark));
    return reply.type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${id}-${period}.csv"`)
      .send(Readable.from(campaignExportLines(rows, period, campaign.status === 'closed')));
  });

  app.get('/v1/proofs/:id/settlement', {
    schema: { tags: ['campaigns'], summary: 'The settlement of a proof: which campaign paid for it (404 when none)', params: Type.Object({ id: Hex64 }), response: responses({ 200: RecordSchema }, READ_PROBLEMS) },
  }, (request) => context.chaincode(request).campaigns.settlementOf(request.params.id));
}
