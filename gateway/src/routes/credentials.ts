/**
 * Route `POST /v1/credentials/check`: for a holder, whether a credential is authentic and
 * anchored: its hash, its claim and the claim's proof. Nothing is written.
 */
import { Type } from '@sinclair/typebox';
import { ApiError } from '../problem.js';
import { readProtocolPolicy, refusalProblem } from './claim-intake.js';
import type { RouteContext, TypedApp } from './context.js';
import { ProtocolId, READ_PROBLEMS, RecordSchema, responses } from './schemas.js';

const CheckBody = Type.Object({
  credential: Type.Object({}, { additionalProperties: true }),
  protocolId: Type.Optional(ProtocolId),
  protocolVersion: Type.Optional(Type.Integer({ minimum: 1 })),
}, { additionalProperties: false });

const CheckResult = Type.Object({
  credentialHash: Type.String(),
  issuer: Type.String(),
  anchored: Type.Boolean(),
  claim: Type.Optional(RecordSchema),
  proofs: Type.Array(RecordSchema),
});

function statedIssuer(credential: Record<string, unknown>): string {
  const issuer = credential.issuer;
  if (typeof issuer === 'string') return issuer;
  const id: unknown = typeof issuer === 'object' && issuer !== null ? Reflect.get(issuer, 'id') : undefined;
  return typeof id === 'string' ? id : '';
}

function proofIdOf(claim: unknown): string | undefined {
  const id: unknown = typeof claim === 'object' && claim !== null ? Reflect.get(claim, 'proofId') : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** The claim anchoring `credentialHash`, or undefined when there is none. */
async function anchoredClaim(context: RouteContext, request: Parameters<RouteContext['chaincode']>[0], credentialHash: string): Promise<unknown> {
  try {
    return await context.chaincode(request).claims.getByCredentialHash(credentialHash);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}

/** Registers the credential check route. */
export function credentialRoutes(app: TypedApp, context: RouteContext): void {
  app.post('/v1/credentials/check', {
    schema: {
      tags: ['credentials'], summary: 'Check a credential and look up its claim and proofs (anyone)',
      description: "With protocolId/protocolVersion the issuer must be one the protocol trusts; without, the credential's own issuer is checked.",
      body: CheckBody, response: responses({ 200: CheckResult }, [...READ_PROBLEMS, 422]),
    },
  }, async (request) => {
    const { credential, protocolId, protocolVersion } = request.body;
    const trustedIssuers = protocolId === undefined
      ? [statedIssuer(credential)]
      : (await readProtocolPolicy(context, request, protocolId, protocolVersion ?? 1)).trustedIssuers;
    const { checker, now } = context.services.credentials;
    const stopTimer = context.services.metrics.credentialCheckDuration.startTimer();
    const outcome = await checker.checkIntegrity(credential, { trustedIssuers }, now()).finally(stopTimer);
    context.services.metrics.credentialChecks.inc({ outcome: outcome.ok ? 'authentic' : outcome.code });
    if (!outcome.ok) throw refusalProblem(outcome);
    const claim = await anchoredClaim(context, request, outcome.credentialHash);
    const proofId = proofIdOf(claim);
    const proofs = proofId === undefined ? [] : [await context.chaincode(request).proofs.get(proofId)];
    return { credentialHash: outcome.credentialHash, issuer: outcome.issuer, anchored: claim !== undefined, ...(claim === undefined ? {} : { claim }), proofs };
  });
}
