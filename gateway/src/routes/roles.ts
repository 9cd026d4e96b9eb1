/** Routes `/v1/roles`: grants and revocations by an organisation's operator, lists, who am I. */
import { Type } from '@sinclair/typebox';
import type { RouteContext, TypedApp } from './context.js';
import { pageOf } from './pages.js';
import { committed, IdempotencyHeaders, PageQuerySchema, PageSchema, READ_PROBLEMS, RecordSchema, responses, WRITE_PROBLEMS } from './schemas.js';

const Role = Type.Union(['submitter', 'verifier', 'validator', 'funder', 'status-publisher'].map((role) => Type.Literal(role)));
const Identity = Type.String({ minLength: 3, maxLength: 1024, description: '`${mspId}::${x509 id}`, as GET /v1/roles/me returns it' });

/** Registers the role routes. */
export function roleRoutes(app: TypedApp, context: RouteContext): void {
  app.get('/v1/roles/me', {
    schema: { tags: ['roles'], summary: "The caller's identity string, MSP, operator flag and roles", response: responses({ 200: RecordSchema }, READ_PROBLEMS) },
  }, (request) => context.chaincode(request).roles.whoAmI());

  app.get('/v1/roles', {
    schema: {
      tags: ['roles'], summary: 'A page of the active role grants of an MSP (default: this organisation)',
      description: 'A page may hold fewer grants than pageSize (revoked grants are read and left out): follow `cursor` until it is empty.',
      querystring: Type.Object({ mspId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9.-]+$' })), ...PageQuerySchema }),
      response: responses({ 200: PageSchema }, READ_PROBLEMS),
    },
  }, async (request) => pageOf(await context.chaincode(request).roles.list(request.query.mspId ?? context.services.mspId, request.query.pageSize ?? 25, request.query.cursor ?? '')));

  app.post('/v1/roles', {
    schema: {
      tags: ['roles'], summary: 'Grant a role to an identity of this MSP (operator)',
      headers: IdempotencyHeaders, body: Type.Object({ identity: Identity, role: Role }),
      response: responses({ 201: committed() }, WRITE_PROBLEMS),
    },
  }, (request, reply) => context.mutate(request, reply, 201, () => context.chaincode(request).roles.grant(request.body.identity, request.body.role)));

  app.delete('/v1/roles/:identity/:role', {
    schema: {
      tags: ['roles'], summary: 'Revoke an active grant (operator); URL-encode the identity',
      headers: IdempotencyHeaders, params: Type.Object({ identity: Identity, role: Role }),
      response: responses({ 200: committed() }, WRITE_PROBLEMS),
    },
  }, (request, reply) => context.mutate(request, reply, 200, () => context.chaincode(request).roles.revoke(request.params.identity, request.params.role)));

  app.get('/v1/roles/:identity/history', {
    schema: {
      tags: ['roles'], summary: 'A page of the role records (with their grant and revocation history) of an identity',
      params: Type.Object({ identity: Identity }), querystring: Type.Object(PageQuerySchema), response: responses({ 200: PageSchema }, READ_PROBLEMS),
    },
  }, async (request) => pageOf(await context.chaincode(request).roles.history(request.params.identity, request.query.pageSize ?? 25, request.query.cursor ?? '')));
}
