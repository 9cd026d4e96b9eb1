/**
 * `POST /v1/signing/{session}`: the signature of a signing session's pending step (docs/api.md,
 * "Client-signed transactions"); answered with the next step (202) or the mutation's own answer.
 * Also the 202 schema every mutation declares.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifySchema } from 'fastify';
import { ApiError } from '../problem.js';
import type { RouteContext, TypedApp } from '../routes/context.js';
import { RecordSchema, responses, WRITE_PROBLEMS } from '../routes/schemas.js';
import { SIGNING_STEPS } from './fabric-messages.js';
import type { SigningAnswer } from './sessions.js';

/** The 202 answer of a mutation for a caller that signs itself. */
export const SigningStepSchema = Type.Object({
  signing: Type.Object({
    session: Type.String({ description: 'opaque session id; sign at signUrl' }),
    step: Type.Union(SIGNING_STEPS.map((step) => Type.Literal(step))),
    transactionId: Type.String(),
    transaction: Type.String({ description: 'contract:Function, e.g. claims:Verify' }),
    message: Type.String({ description: 'base64 of the bytes to sign (ECDSA P-256 over SHA-256(message), DER, low S)' }),
    digest: Type.String({ description: 'base64 of SHA-256(message)' }),
    signUrl: Type.String(),
    expiresAt: Type.String({ format: 'date-time' }),
  }),
}, { description: 'a step to sign: POST {"signature": "<base64 DER>"} to signUrl; follow 202s until another status (docs/api.md)' });

/** Sends what a signing request is answered: 202 with the next step, or the mutation's own answer. */
export async function sendSigningAnswer(reply: FastifyReply, answer: SigningAnswer): Promise<void> {
  if (answer.kind === 'step') {
    await reply.code(202).send({ signing: answer.step });
    return;
  }
  if (answer.outcome.replayed) void reply.header('idempotent-replayed', 'true');
  await reply.code(answer.outcome.status).send(answer.outcome.body);
}

const SIGNATURE_PROBLEMS = [400, 401, 403, 404, 408, 409, 422, 503] as const;

/** Registers the signing route. */
export function signingRoutes(app: TypedApp, context: RouteContext): void {
  app.post('/v1/signing/:session', {
    schema: {
      tags: ['signing'],
      summary: 'Sign the pending step of a client-signed mutation (proposal, transaction)',
      description: 'Same authentication as the request that opened the session. 400 SIGNATURE_INVALID / SIGNATURE_NOT_LOW_S (the step stays open), '
        + '404 SIGNING_SESSION_UNKNOWN (unknown, expired or another caller\'s), 409 SIGNING_STEP_DONE (already signed), 408 SIGNING_SESSION_EXPIRED. '
        + 'After the transaction step (the gateway sends it and waits for its commit): the mutation\'s own answer (e.g. 201 {result, txId, blockNumber}), or a new 202 proposal step after a read conflict.',
      params: Type.Object({ session: Type.String({ pattern: '^[0-9a-f]{32,128}$' }) }),
      body: Type.Object({
        signature: Type.String({ minLength: 8, maxLength: 200, pattern: '^[A-Za-z0-9+/]+={0,2}$', description: 'base64 of the DER ECDSA signature (low S) of the step\'s message' }),
      }, { additionalProperties: false }),
      response: responses({ 200: RecordSchema, 201: RecordSchema, 202: SigningStepSchema }, [...new Set([...WRITE_PROBLEMS, ...SIGNATURE_PROBLEMS])]),
    },
  }, async (request, reply) => {
    const sessions = context.services.signing?.sessions;
    if (sessions === undefined) throw new ApiError(404, 'SIGNING_SESSION_UNKNOWN', 'this gateway signs every caller\'s transactions itself: it has no signing sessions');
    const answer = await sessions.sign(context.caller(request).user, request.params.session, Buffer.from(request.body.signature, 'base64'));
    await sendSigningAnswer(reply, answer);
  });
}

/** Declares the 202 signing step on every mutation (the routes with an Idempotency-Key header), so OpenAPI lists it. */
export function declareSigningStep(routeOptions: { url?: string; schema?: FastifySchema }): void {
  const schema = routeOptions.schema;
  const headers = schema?.headers as { properties?: Record<string, unknown> } | undefined;
  if (schema === undefined || headers?.properties?.['idempotency-key'] === undefined) return;
  routeOptions.schema = { ...schema, response: { ...(schema.response ?? {}) as Record<number, unknown>, 202: SigningStepSchema } };
}
