/**
 * Routes `/v1/claims`: submission from a verifiable credential (submitters), reads, withdrawal,
 * verifications (designated verifiers) and validation, which issues the proof (validators).
 */
import { Type } from '@sinclair/typebox';
import { CREDENTIAL_TRANSIENT_KEY } from '@impact-ledger/chaincode/domain';
import { acceptCredential, readProtocolPolicy } from './claim-intake.js';
import type { RouteContext, TypedApp } from './context.js';
import { pageOf } from './pages.js';
import { committed, Hex64, IdempotencyHeaders, PageQuerySchema, PageSchema, ProtocolId, READ_PROBLEMS, RecordSchema, responses, WRITE_PROBLEMS } from './schemas.js';

const ProofLevel = Type.Union([Type.Literal('declared'), Type.Literal('computed'), Type.Literal('verified')]);
const ClaimParams = Type.Object({ id: Hex64 });

const SubmitBody = Type.Object({
  protocolId: ProtocolId,
  protocolVersion: Type.Integer({ minimum: 1 }),
  credential: Type.Object({}, { additionalProperties: true, description: 'the Verifiable Credential, eddsa-rdfc-2022 signed' }),
  evidenceHashes: Type.Array(Hex64, { maxItems: 32, default: [] }),
  proofLevel: Type.Optional(ProofLevel),
  evidence: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }), Hex64, {
    maxProperties: 48,
    description: "named evidence, kind -> sha256 of the document (e.g. trace, computation, attestation): what the proof level requires under the protocol version's `evidence` (422 EVIDENCE_INSUFFICIENT otherwise, checked by the endorsing peers)",
  })),
  additionality: Type.Optional(Type.Object({
    baseline: Type.Integer({ minimum: 0, description: "the baseline scenario's quantity, in the protocol's unit" }),
    counterfactual: Type.Integer({ minimum: 0, description: "the counterfactual's quantity, in the protocol's unit" }),
  }, { additionalProperties: false, description: "the claim's additionality; stored with the protocol's method hash and the record's hash, shown in provenance" })),
}, { additionalProperties: false });

const ClaimStatus = Type.Union(['submitted', 'verified', 'rejected', 'withdrawn', 'validated'].map((s) => Type.Literal(s)));

/** Registers the claim routes. */
export function claimRoutes(app: TypedApp, context: RouteContext): void {
  app.post('/v1/claims', {
    schema: {
      tags: ['claims'], summary: 'Check a credential against the protocol version and anchor it as a claim (submitter)',
      description: 'Quantity and period come from the credential subject fields the protocol names; proofLevel defaults to the protocol minimum.',
      headers: IdempotencyHeaders, body: SubmitBody, response: responses({ 201: committed() }, WRITE_PROBLEMS),
    },
  }, (request, reply) => context.mutate(request, reply, 201, async () => {
    const { protocolId, protocolVersion, credential, evidenceHashes, proofLevel, evidence, additionality } = request.body;
    const protocol = await readProtocolPolicy(context, request, protocolId, protocolVersion);
    await acceptCredential(context.services, protocol, credential);
    // The early check above answers users fast (422); the endorsing peers check the credential
    // again themselves, from the transient data, and derive what the claim anchors.
    const submission = {
      protocolId, protocolVersion, proofLevel: proofLevel ?? protocol.minProofLevel, evidenceHashes,
      ...(evidence === undefined ? {} : { evidence }), ...(additionality === undefined ? {} : { additionality }),
    };
    return context.chaincode(request).claims.submit(submission, CREDENTIAL_TRANSIENT_KEY, credential);
  }));

  app.get('/v1/claims', {
    schema: {
      tags: ['claims'], summary: 'A page of claims, all or by status or by protocol version',
      querystring: Type.Object({ status: Type.Optional(ClaimStatus), protocolId: Type.Optional(ProtocolId), protocolVersion: Type.Optional(Type.Integer({ minimum: 1 })), ...PageQuerySchema }),
      response: responses({ 200: PageSchema }, READ_PROBLEMS),
    },
  }, async (request) => {
    const { status, protocolId, protocolVersion, pageSize, cursor } = request.query;
    const filter = { ...(status === undefined ? {} : { status }), ...(protocolId === undefined ? {} : { protocolId, protocolVersion }) };
    return pageOf(await context.chaincode(request).claims.list(filter, pageSize ?? 25, cursor ?? ''));
  });

  app.get('/v1/claims/:id', {
    schema: { tags: ['claims'], summary: 'One claim', params: ClaimParams, response: responses({ 200: RecordSchema }, READ_PROBLEMS) },
  }, (request) => context.chaincode(request).claims.get(request.params.id));

  app.get('/v1/claims/by-credential-hash/:credentialHash', {
    schema: {
      tags: ['claims'], summary: 'The claim anchoring a credential hash', params: Type.Object({ credentialHash: Hex64 }),
      response: responses({ 200: RecordSchema }, READ_PROBLEMS),
    },
  }, (request) => context.chaincode(request).claims.getByCredentialHash(request.params.credentialHash));

  app.post('/v1/claims/:id/withdraw', {
    schema: { tags: ['claims'], summary: 'Withdraw a claim (its submitter or an operator of its MSP); frees its days', headers: IdempotencyHeaders, params: ClaimParams, response: responses({ 200: committed() }, WRITE_PROBLEMS) },
  }, (request, reply) => context.mutate(request, reply, 200, () => context.chaincode(request).claims.withdraw(request.params.id)));

  app.get('/v1/claims/:id/verifications', {
    schema: { tags: ['claims'], summary: 'The verifications of a claim', params: ClaimParams, response: responses({ 200: Type.Array(RecordSchema) }, READ_PROBLEMS) },
  }, (request) => context.chaincode(request).claims.verifications(request.params.id));

  app.post('/v1/claims/:id/verifications', {
    schema: {
      tags: ['claims'], summary: 'Record a designated verifier\'s decision (verifier)', headers: IdempotencyHeaders, params: ClaimParams,
      body: Type.Object({ decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]), assessedQuantity: Type.Integer({ minimum: 0 }), reportHash: Hex64 }, { additionalProperties: false }),
      response: responses({ 201: committed() }, WRITE_PROBLEMS),
    },
  }, (request, reply) => context.mutate(request, reply, 201, () => context.chaincode(request).claims.verify(
    request.params.id, request.body.decision, request.body.assessedQuantity, request.body.reportHash)));

  app.post('/v1/claims/:id/validation', {
    schema: {
      tags: ['claims'], summary: 'Fix the value of a verified claim and issue its Proof of Impact (validator)', headers: IdempotencyHeaders, params: ClaimParams,
      body: Type.Object({ quantity: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
      response: responses({ 201: committed() }, WRITE_PROBLEMS),
    },
  }, (request, reply) => context.mutate(request, reply, 201, () => context.chaincode(request).claims.validate(request.params.id, request.body.quantity)));
}
