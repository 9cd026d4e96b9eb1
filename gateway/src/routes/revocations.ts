/**
 * Routes `/v1/revocations` (operators): flag a credential (by hash) or a trusted issuer (DID) as
 * revoked, clear a flag, read a flag. Every claim and proof downstream is marked by the chaincode
 * in batches; these routes run the batches (`revocation:ContinueCascade`) until the cascade is done,
 * so the response reports every claim and proof (un)flagged. Protocol suspension raises a flag too
 * (see {@link runCascade}, called after protocols:Suspend / Activate).
 */
import { Type } from '@sinclair/typebox';
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../problem.js';
import type { CascadeBatch } from '../fabric/chaincode-client.js';
import type { Committed } from '../fabric/ledger.js';
import type { RouteContext, TypedApp } from './context.js';
import { Hex64, IdempotencyHeaders, READ_PROBLEMS, RecordSchema, responses, WRITE_PROBLEMS } from './schemas.js';

/** Most batches one request runs; the cascade of a larger set continues with POST …/continue. */
const MAX_BATCHES = 40;


const CascadeSchema = Type.Object({
  flagId: Hex64,
  done: Type.Boolean({ description: 'false when more batches remain: POST /v1/revocations/{flagId}/continue' }),
  batches: Type.Integer({ minimum: 0 }),
  claims: Type.Array(Hex64, { description: 'claims (un)flagged by this request' }),
  proofs: Type.Array(Hex64, { description: 'proofs (un)flagged by this request' }),
  txIds: Type.Array(Type.String()),
});

const FlagResponse = Type.Object({ result: RecordSchema, txId: Type.String(), blockNumber: Type.Integer({ minimum: 0 }), cascade: CascadeSchema });

/** The flag id of a subject, as the chaincode derives it. */
export function flagIdOf(kind: 'credential' | 'issuer' | 'protocol', subject: string): string {
  return createHash('sha256').update(`flag:${kind}:${subject}`, 'utf8').digest('hex');
}

/** Runs cascade batches of `flagId` (after `first`, if given) until done or MAX_BATCHES. */
export async function runCascade(context: RouteContext, request: FastifyRequest, flagId: string, first?: Committed<CascadeBatch>): Promise<typeof CascadeSchema.static> {
  const cascade = { flagId, done: false, batches: 0, claims: [] as string[], proofs: [] as string[], txIds: [] as string[] };
  const take = (committed: Committed<CascadeBatch>): void => {
    const batch = committed.result;
    cascade.batches++;
    cascade.claims.push(...batch.claims);
    cascade.proofs.push(...batch.proofs);
    cascade.txIds.push(committed.txId);
    cascade.done = batch.flag.cascadeDone;
  };
  if (first !== undefined) take(first);
  while (!cascade.done && cascade.batches < MAX_BATCHES) take(await context.chaincode(request).revocation.continueCascade(flagId));
  return cascade;
}

/** After a protocol version's suspension or re-activation: runs its flag's cascade, if it has one pending. */
export async function cascadeProtocolFlag(context: RouteContext, request: FastifyRequest, protocolId: string, version: number): Promise<void> {
  const flagId = flagIdOf('protocol', `${protocolId}@${version}`);
  const flag = await context.chaincode(request).revocation.get(flagId).catch((error: unknown) => {
    if (error instanceof ApiError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  });
  if (flag !== undefined && flag.cascadeDone === false) await runCascade(context, request, flagId);
}

/** Registers the revocation routes. */
export function revocationRoutes(app: TypedApp, context: RouteContext): void {
  app.post('/v1/revocations', {
    schema: {
      tags: ['revocations'], summary: 'Flag a credential (sha256 hash) or a trusted issuer (DID) as revoked (operator); flags every claim and proof downstream',
      headers: IdempotencyHeaders,
      body: Type.Object({
        kind: Type.Union([Type.Literal('credential'), Type.Literal('issuer')]),
        subject: Type.String({ minLength: 1, maxLength: 512, description: 'the credential hash, or the issuer DID' }),
        reason: Type.String({ minLength: 1, maxLength: 1024 }),
      }, { additionalProperties: false }),
      response: responses({ 201: FlagResponse }, WRITE_PROBLEMS),
    },
  }, (request, reply) => context.mutate(request, reply, 201, async () => {
    const { kind, subject, reason } = request.body;
    const first = await context.chaincode(request).revocation.flag(kind, subject, reason);
    const cascade = await runCascade(context, request, first.result.flag.id, first);
    return { ...first, result: first.result.flag, cascade };
  }));

  app.post('/v1/revocations/:flagId/clear', {
    schema: {
      tags: ['revocations'], summary: 'Clear a flag (operator); unflags every claim and proof it reached',
      headers: IdempotencyHeaders, params: Type.Object({ flagId: Hex64 }), response: responses({ 200: FlagResponse }, WRITE_PROBLEMS),
    },
  }, (request, reply) => context.mutate(request, reply, 200, async () => {
    const first = await context.chaincode(request).revocation.clear(request.params.flagId);
    const cascade = await runCascade(context, request, request.params.flagId, first);
    return { ...first, result: first.result.flag, cascade };
  }));

  app.post('/v1/revocations/:flagId/continue', {
    schema: {
      tags: ['revocations'], summary: 'Run the remaining batches of a flag\'s cascade (operator)',
      headers: IdempotencyHeaders, params: Type.Object({ flagId: Hex64 }), response: responses({ 200: FlagResponse }, WRITE_PROBLEMS),
    },
  }, (request, reply) => context.mutate(request, reply, 200, async () => {
    const first = await context.chaincode(request).revocation.continueCascade(request.params.flagId);
    const cascade = await runCascade(context, request, request.params.flagId, first);
    return { ...first, result: first.result.flag, cascade };
  }));

  app.get('/v1/revocations/:flagId', {
    schema: { tags: ['revocations'], summary: 'One flag record', params: Type.Object({ flagId: Hex64 }), response: responses({ 200: RecordSchema }, READ_PROBLEMS) },
  }, (request) => context.chaincode(request).revocation.get(request.params.flagId));
}
