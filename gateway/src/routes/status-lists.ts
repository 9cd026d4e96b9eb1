/**
 * Routes `/v1/status-lists`: issuers' W3C Bitstring Status List credentials, held on the ledger
 * (contract `statusLists`), so every endorsing peer checks a claim's status bits against the same
 * lists when the claim is submitted (a set bit: 422 CREDENTIAL_REVOKED; a list not on the ledger
 * or not the credential's issuer's: 422 STATUS_LIST_UNAVAILABLE). The gateway keeps no lists of
 * its own and decides nothing: the chaincode checks the publisher (an operator, OU=admin, or a
 * holder of the ledger role `status-publisher`), the list's proof, and the acceptance rule (a
 * trusted issuer of some registered protocol version, a list id bound to its first issuer, not
 * post-dated, no rollback), at the transaction timestamp.
 */
import { Type } from '@sinclair/typebox';
import type { RouteContext, TypedApp } from './context.js';
import { committed, IdempotencyHeaders, RecordSchema, responses } from './schemas.js';

/** The ledger role that lets a non-operator publish status lists. */
export const STATUS_PUBLISHER_ROLE = 'status-publisher';

/** Registers the status list routes. */
export function statusListRoutes(app: TypedApp, context: RouteContext): void {
  app.put('/v1/status-lists', {
    schema: {
      tags: ['credentials'],
      summary: 'Publish an issuer\'s BitstringStatusListCredential to the ledger (operator or status-publisher; its proof must verify, its issuer be trusted by a registered protocol)',
      description: 'Submits statusLists:Publish. A list id is bound to the issuer of its first accepted list: another issuer\'s list under the same id is refused (409 STATUS_LIST_ISSUER_MISMATCH), as is an older one (409 STATUS_LIST_ROLLBACK). 403 FORBIDDEN_ROLE; 422: INVALID_STATUS_LIST, UNTRUSTED_ISSUER, STATUS_LIST_NOT_YET_VALID.',
      headers: IdempotencyHeaders,
      body: Type.Object({ credential: Type.Object({}, { additionalProperties: true }) }, { additionalProperties: false }),
      response: responses({
        200: committed(Type.Object({}, { additionalProperties: true, description: 'the status list record on the ledger: id (URL), issuer, validFrom, credential, published (actor, txId, timestamp)' })),
      }, [400, 401, 403, 409, 422, 503]),
    },
  }, (request, reply) => context.mutate(request, reply, 200, () => context.chaincode(request).statusLists.publish(request.body.credential)));

  app.get('/v1/status-lists', {
    schema: {
      tags: ['credentials'], summary: 'One status list credential held on the ledger, by its id (URL)',
      querystring: Type.Object({ id: Type.String({ minLength: 1, maxLength: 2048 }) }),
      response: responses({ 200: RecordSchema }, [400, 401, 404, 503]),
    },
  }, async (request) => context.chaincode(request).statusLists.get(request.query.id));
}
