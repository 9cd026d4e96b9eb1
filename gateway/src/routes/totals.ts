/** Route `GET /v1/totals`: issued and retired quantities per pillar and unit, never across pillars. */
import { Type } from '@sinclair/typebox';
import type { RouteContext, TypedApp } from './context.js';
import { ProtocolId, READ_PROBLEMS, RecordSchema, responses } from './schemas.js';

/** Registers the totals route. */
export function totalsRoutes(app: TypedApp, context: RouteContext): void {
  app.get('/v1/totals', {
    schema: {
      tags: ['totals'], summary: 'Issued and retired totals per (pillar, unit), optionally for one protocol',
      description: 'There is no cross-pillar sum: every total is per pillar and per unit. `unit` needs `pillar`; `protocolVersion` needs `protocolId`.',
      querystring: Type.Object({
        pillar: Type.Optional(Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('C')])),
        unit: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
        protocolId: Type.Optional(ProtocolId),
        protocolVersion: Type.Optional(Type.Integer({ minimum: 1 })),
      }, { additionalProperties: false }),
      response: responses({ 200: RecordSchema }, READ_PROBLEMS),
    },
  }, (request) => context.read(request, 'proofs:Totals', JSON.stringify(request.query)));
}
