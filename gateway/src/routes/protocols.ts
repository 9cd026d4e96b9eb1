/** Routes `/v1/protocols`: registration and lifecycle (operators), reads (all). */
import { Type } from '@sinclair/typebox';
import { UNIT_PATTERN } from '@impact-ledger/chaincode/domain';
import { compileSubjectSchema, CredentialError, type JsonObject } from '@impact-ledger/credentials';
import { ApiError } from '../problem.js';
import type { RouteContext, TypedApp } from './context.js';
import { committed, IdempotencyHeaders, PageQuerySchema, PageSchema, ProtocolId, READ_PROBLEMS, RecordSchema, responses, WRITE_PROBLEMS } from './schemas.js';
import { pageOf } from './pages.js';
import { cascadeProtocolFlag } from './revocations.js';

/**
 * The chaincode's unit pattern (INVALID_UNIT there), checked here first: a unit that does not match
 * is a 400 before any Fabric call. Optional here: a missing unit is the chaincode's INVALID_UNIT,
 * like every other missing field of the document (the gateway's early checks stay independent).
 */
const Unit = Type.String({ pattern: UNIT_PATTERN.source, description: 'the unit of the impact quantity: a letter, then at most 31 letters, digits, spaces and . / % ² ³ µ ( ) -' });

/**
 * The early form of the chaincode's check (INVALID_PROTOCOL_SCHEMA, 400): a subject schema the
 * gateway cannot compile would refuse every claim under the protocol. Both compile with ajv's
 * draft 2020-12 in strict mode with the same formats; the chaincode's check is the one that binds.
 */
function assertSubjectSchemaCompiles(schema: unknown): void {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return; // the chaincode names the field
  try {
    compileSubjectSchema(schema as JsonObject);
  } catch (error) {
    if (error instanceof CredentialError) throw new ApiError(400, 'INVALID_PROTOCOL_SCHEMA', error.message, { field: 'subjectSchema' });
    throw error;
  }
}

const VersionParams = Type.Object({ id: ProtocolId, version: Type.Integer({ minimum: 1 }) });
const LIFECYCLE = { activate: 'Activate', suspend: 'Suspend', retire: 'Retire' } as const;

/** Registers the protocol routes. */
export function protocolRoutes(app: TypedApp, context: RouteContext): void {
  app.post('/v1/protocols', {
    schema: {
      tags: ['protocols'], summary: 'Register a protocol version as a draft (operator)',
      description: 'The body is the protocol definition the chaincode validates (docs/domain.md: id, version, category, unit, pillar, SDG targets, verifiers, quorum, minVerifierOrgs, validators, validatorFromOtherOrg, trusted issuers, subject schema, quantity and period fields, additionality). Anti-collusion: a claim is verified only when its approving verifiers belong to at least minVerifierOrgs organisations (default 2), and its validator must belong to another organisation than its submitter unless validatorFromOtherOrg is false.',
      headers: IdempotencyHeaders,
      body: Type.Object({
        id: ProtocolId,
        version: Type.Integer({ minimum: 1 }),
        unit: Type.Optional(Unit),
        minVerifierOrgs: Type.Optional(Type.Integer({ minimum: 1, description: 'fewest distinct organisations (MSPs) among the approving verifiers, 1..min(quorum, organisations of the verifiers); 2 when absent' })),
        validatorFromOtherOrg: Type.Optional(Type.Boolean({ description: 'the validator must belong to another organisation than the submitter; true when absent' })),
      }, { additionalProperties: true }),
      response: responses({ 201: committed() }, WRITE_PROBLEMS),
    },
  }, (request, reply) => {
    assertSubjectSchemaCompiles((request.body as Record<string, unknown>).subjectSchema);
    return context.mutate(request, reply, 201, () => context.chaincode(request).protocols.register(request.body));
  });

  for (const [step, fn] of Object.entries(LIFECYCLE)) {
    app.post(`/v1/protocols/:id/versions/:version/${step}`, {
      schema: {
        tags: ['protocols'], summary: `${fn} a protocol version (operator of its MSP)`,
        headers: IdempotencyHeaders, params: VersionParams, response: responses({ 200: committed() }, WRITE_PROBLEMS),
      },
    }, (request, reply) => context.mutate(request, reply, 200, async () => {
      const done = await context.chaincode(request).protocols.transition(request.params.id, request.params.version, fn);
      // suspension flags the version's claims and proofs, re-activation unflags them (revocations.ts)
      if (step !== 'retire') await cascadeProtocolFlag(context, request, request.params.id, request.params.version);
      return done;
    }));
  }

  app.get('/v1/protocols', {
    schema: { tags: ['protocols'], summary: 'A page of protocols', querystring: Type.Object(PageQuerySchema), response: responses({ 200: PageSchema }, READ_PROBLEMS) },
  }, async (request) => pageOf(await context.chaincode(request).protocols.list(request.query.pageSize ?? 25, request.query.cursor ?? '')));

  app.get('/v1/protocols/:id', {
    schema: {
      tags: ['protocols'], summary: 'A page of the versions of a protocol, oldest first',
      params: Type.Object({ id: ProtocolId }), querystring: Type.Object(PageQuerySchema), response: responses({ 200: PageSchema }, READ_PROBLEMS),
    },
  }, async (request) => pageOf(await context.chaincode(request).protocols.listVersions(request.params.id, request.query.pageSize ?? 25, request.query.cursor ?? '')));

  app.get('/v1/protocols/:id/versions/:version', {
    schema: { tags: ['protocols'], summary: 'One protocol version', params: VersionParams, response: responses({ 200: RecordSchema }, READ_PROBLEMS) },
  }, (request) => context.chaincode(request).protocols.get(request.params.id, request.params.version));
}
