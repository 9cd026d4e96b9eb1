/**
 * Route `GET /v1/proofs/{id}/audit-bundle`: the proof's audit bundle, one JSON file anyone can
 * verify offline with `impact-ledger verify-bundle` (see audit/verify.ts). Any authenticated caller.
 */
import { Type } from '@sinclair/typebox';
import { assembleAuditBundle } from '../audit/assemble.js';
import { AuditBundleSchema } from '../audit/bundle.js';
import type { RouteContext, TypedApp } from './context.js';
import { Hex64, READ_PROBLEMS, responses } from './schemas.js';

/** Registers the audit bundle route. */
export function auditRoutes(app: TypedApp, context: RouteContext): void {
  app.get('/v1/proofs/:id/audit-bundle', {
    schema: {
      tags: ['proofs'],
      summary: 'The audit bundle of a proof: provenance records, the blocks and configuration blocks of every step; verify offline with `impact-ledger verify-bundle`',
      params: Type.Object({ id: Hex64 }),
      response: responses({ 200: AuditBundleSchema }, READ_PROBLEMS),
    },
  }, async (request, reply) => {
    const { ledger } = context.services;
    const bundle = await assembleAuditBundle(request.params.id, {
      channel: ledger.channel, chaincode: ledger.chaincode, ledger,
      provenance: () => context.chaincode(request).proofs.provenance(request.params.id),
    });
    void reply.header('content-disposition', `attachment; filename="audit-bundle-${request.params.id}.json"`);
    return bundle;
  });
}
