/** Routes of operations: `/health` (process), `/ready` (Fabric reachable), `/metrics`, `/v1/openapi.json`. */
import { Type } from '@sinclair/typebox';
import type { RouteContext, TypedApp } from './context.js';
import { responses } from './schemas.js';

const Status = Type.Object({ status: Type.String() });

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
    schema: { tags: ['operations'], summary: "The organisation's peer answers a system:Ping within the readiness deadline", response: responses({ 200: Status }, [503]) },
  }, async () => {
    await context.services.ledger.ping();
    return { status: 'ready' };
  });

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
