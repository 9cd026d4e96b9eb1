/**
 * Route `GET /v1/totals`: issued and retired quantities per pillar and unit, optionally grouped by
 * protocol version, SDG target and activity period; never summed across pillars.
 */
import { Type } from '@sinclair/typebox';
import type { RouteContext, TypedApp } from './context.js';
import { committed, IdempotencyHeaders, ProtocolId, READ_PROBLEMS, responses, WRITE_PROBLEMS } from './schemas.js';

const Month = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' });

const TotalsRow = Type.Object({
  pillar: Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('C')]),
  unit: Type.String(),
  protocolId: Type.Optional(Type.String()),
  protocolVersion: Type.Optional(Type.Integer()),
  sdgTarget: Type.Optional(Type.String()),
  period: Type.Optional(Type.String({ description: 'YYYY-MM grouped by month, YYYY grouped by year' })),
  issued: Type.Integer({ minimum: 0 }),
  retired: Type.Integer({ minimum: 0 }),
});

/** Registers the totals route. */
export function totalsRoutes(app: TypedApp, context: RouteContext): void {
  app.get('/v1/totals', {
    schema: {
      tags: ['totals'],
      summary: 'Issued and retired totals per (pillar, unit), optionally grouped by protocol, SDG target, month or year',
      description: 'There is no cross-pillar sum: every row is per pillar and per unit. `unit` needs `pillar`; `protocolVersion` needs '
        + '`protocolId`. `groupBy` is a comma-separated subset of `protocol`, `sdg`, `month`, `year` (not both month and year). '
        + 'A proof counts in the month its activity period starts. Grouped by `sdg`, a proof counts once under each SDG target '
        + 'of its protocol, so rows of different targets must not be added up.',
      querystring: Type.Object({
        pillar: Type.Optional(Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('C')])),
        unit: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
        protocolId: Type.Optional(ProtocolId),
        protocolVersion: Type.Optional(Type.Integer({ minimum: 1 })),
        sdg: Type.Optional(Type.String({ pattern: '^[0-9]{1,2}\\.[0-9a-z]{1,2}$', description: 'an SDG target, e.g. 11.2' })),
        from: Type.Optional(Month),
        to: Type.Optional(Month),
        groupBy: Type.Optional(Type.String({ pattern: '^(protocol|sdg|month|year)(,(protocol|sdg|month|year)){0,3}$' })),
      }, { additionalProperties: false }),
      response: responses({
        200: Type.Object({ filter: Type.Record(Type.String(), Type.Unknown()), totals: Type.Array(TotalsRow) }),
      }, READ_PROBLEMS),
    },
  }, (request) => {
    const { groupBy, ...filter } = request.query;
    const chaincodeFilter = groupBy === undefined ? filter : { ...filter, groupBy: groupBy.split(',') };
    return context.chaincode(request).proofs.totals(chaincodeFilter);
  });

  app.post('/v1/totals/compaction', {
    schema: {
      tags: ['totals'], summary: 'Fold up to `limit` totals deltas of one pillar and unit into snapshots (operator); answers `more: true` while deltas remain: run it again until false',
      description: 'Submits proofs:CompactTotals. Totals stay the same; their reads get shorter. `impact-ledger totals:compact` runs it until done, with progress.',
      headers: IdempotencyHeaders,
      body: Type.Object({
        pillar: Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('C')]),
        unit: Type.String({ minLength: 1, maxLength: 32 }),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, description: 'deltas folded in this transaction (default 1000)' })),
      }, { additionalProperties: false }),
      response: responses({ 200: committed() }, WRITE_PROBLEMS),
    },
  }, (request, reply) => context.mutate(request, reply, 200, () => context.chaincode(request).proofs.compactTotals(request.body.pillar, request.body.unit, request.body.limit)));
}
