/**
 * Routes `/v1/proofs`: lists with cursor, one proof, provenance with block numbers, and the
 * owner's transfers and retirements.
 */
import { txIdsOf } from '@impact-ledger/chaincode/facts';
import { Type } from '@sinclair/typebox';
import type { ImpactChaincode } from '../fabric/chaincode-client.js';
import { ApiError } from '../problem.js';
import type { RouteContext, TypedApp } from './context.js';
import { pageOf } from './pages.js';
import { committed, Hex64, IdempotencyHeaders, PageQuerySchema, PageSchema, ProtocolId, READ_PROBLEMS, RecordSchema, responses, WRITE_PROBLEMS } from './schemas.js';

const ProofParams = Type.Object({ id: Hex64 });
const Quantity = Type.Integer({ minimum: 1 });

const ListQuery = Type.Object({
  owner: Type.Optional(Type.String({ minLength: 3, maxLength: 1024 })),
  protocolId: Type.Optional(ProtocolId),
  protocolVersion: Type.Optional(Type.Integer({ minimum: 1 })),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('retired'), Type.Literal('split')])),
  ...PageQuerySchema,
});

/** The chaincode list call for a proofs query: exactly one of owner, protocol, status. */
function listCall(proofs: ImpactChaincode['proofs'], query: { owner?: string; protocolId?: string; protocolVersion?: number; status?: string }): (pageSize: number, bookmark: string) => Promise<unknown> {
  if (query.owner !== undefined) return (pageSize, bookmark) => proofs.listByOwner(query.owner ?? '', pageSize, bookmark);
  if (query.protocolId !== undefined) return (pageSize, bookmark) => proofs.listByProtocol(query.protocolId ?? '', query.protocolVersion ?? 1, pageSize, bookmark);
  if (query.status !== undefined) return (pageSize, bookmark) => proofs.listByStatus(query.status ?? '', pageSize, bookmark);
  throw new ApiError(400, 'VALIDATION_FAILED', 'filter proofs by owner, by protocolId (and protocolVersion) or by status');
}

/** Registers the proof routes. */
export function proofRoutes(app: TypedApp, context: RouteContext): void {
  app.get('/v1/proofs', {
    schema: { tags: ['proofs'], summary: 'A page of proofs by owner, protocol version or status', querystring: ListQuery, response: responses({ 200: PageSchema }, READ_PROBLEMS) },
  }, async (request) => {
    const list = listCall(context.chaincode(request).proofs, request.query);
    return pageOf(await list(request.query.pageSize ?? 25, request.query.cursor ?? ''));
  });

  app.get('/v1/proofs/:id', {
    schema: { tags: ['proofs'], summary: 'One Proof of Impact', params: ProofParams, response: responses({ 200: RecordSchema }, READ_PROBLEMS) },
  }, (request) => context.chaincode(request).proofs.get(request.params.id));

  app.get('/v1/proofs/:id/provenance', {
    schema: {
      tags: ['proofs'], summary: 'Proof -> ancestors -> validation -> verifications -> claim -> protocol, with the block of every transaction',
      params: ProofParams,
      response: responses({ 200: Type.Object({ provenance: RecordSchema, blocks: Type.Record(Type.String(), Type.Integer()) }) }, READ_PROBLEMS),
    },
  }, async (request) => {
    const provenance = await context.chaincode(request).proofs.provenance(request.params.id);
    const blocks: Record<string, number> = {};
    for (const txId of txIdsOf(provenance)) blocks[txId] = await context.services.ledger.blockOf(txId);
    return { provenance, blocks };
  });

  app.post('/v1/proofs/:id/transfers', {
    schema: {
      tags: ['proofs'], summary: 'Transfer a proof whole or in part (owner); optional purchase price. Units a campaign settled never move again (409 PROOF_SETTLED)', headers: IdempotencyHeaders, params: ProofParams,
      body: Type.Object({
        newOwner: Type.String({ minLength: 3, maxLength: 1024 }),
        quantity: Quantity,
        price: Type.Optional(Type.Object({ amount: Type.Integer({ minimum: 0 }), currency: Type.String({ pattern: '^[A-Z]{3}$' }) }, { additionalProperties: false })),
      }, { additionalProperties: false }),
      response: responses({ 201: committed() }, WRITE_PROBLEMS),
    },
  }, (request, reply) => context.mutate(request, reply, 201, () => context.chaincode(request).proofs.transfer(request.params.id,
    request.body.newOwner, request.body.quantity, request.body.price)));

  app.post('/v1/proofs/:id/retirements', {
    schema: {
      tags: ['proofs'], summary: 'Retire a proof whole or in part for a beneficiary (owner); final. Units a campaign settled are retired only by its funder (409 PROOF_SETTLED)', headers: IdempotencyHeaders, params: ProofParams,
      body: Type.Object({ quantity: Quantity, beneficiary: Type.String({ minLength: 1, maxLength: 256 }), purpose: Type.String({ minLength: 1, maxLength: 512 }) }, { additionalProperties: false }),
      response: responses({ 201: committed() }, WRITE_PROBLEMS),
    },
  }, (request, reply) => context.mutate(request, reply, 201, () => context.chaincode(request).proofs.retire(request.params.id,
    request.body.quantity, request.body.beneficiary, request.body.purpose)));
}
