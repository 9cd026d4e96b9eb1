/** Routes of operations: `/health` (process), `/ready` (Fabric reachable), `/metrics`, `/v1/openapi.json`. */
import { Type } from '@sinclair/typebox';
import type { RouteContext, TypedApp } from './context.js';
import { responses } from './schemas.js';

const Status = Type.Object({ status: Type.String() });
const Ready = Type.Object({
  status: Type.String(),
  peer: Type.String({ description: "The peer the gateway's Fabric calls go to, e.g. peer0.org1" }),
  ownPeer: Type.Boolean({ description: "False while the gateway's own organisation's peer is down and it uses another organisation's" }),
});

/** Public: answered without a caller (every other route is authenticated, see app.ts). */
const PUBLIC = { public: true } as const;

/** Registers the operations routes (no authentication). */
export function operationsRoutes(app: TypedApp, context: RouteContext): void {
  app.get('/health', {
    config: PUBLIC,
    schema: { tags: ['operations'], summary: 'The process is up', response: { 200: Status } },
  }, () => ({ status: 'ok' }));

  app.get('/ready', {
    config: PUBLIC,
    schema: {
      tags: ['operations'], summary: 'A peer answers a system:Ping within the readiness deadline',
      description: "The gateway's own organisation's peer, or while that one is down another organisation's peer it failed over to (named in the answer).",
      response: responses({ 200: Ready }, [503]),
    },
  }, async () => ({ status: 'ready', ...await context.services.ledger.ping() }));

  app.get('/metrics', {
    config: PUBLIC,
    schema: { tags: ['operations'], summary: 'Prometheus metrics', response: { 200: Type.Unsafe<string>({ description: 'Prometheus text format', content: { 'text/plain': { schema: Type.String() } } }) } },
  }, async (_request, reply) => {
    const { registry } = context.services.metrics;
    return reply.type(registry.contentType).send(await registry.metrics());
  });

  app.get('/v1/openapi.json', {
    config: PUBLIC,
    schema: { tags: ['operations'], summary: 'This API as an OpenAPI 3.1 document', response: { 200: Type.Object({}, { additionalProperties: true }) } },
  }, () => app.swagger());
}
