/**
 * Routes `/v1/status-lists`: issuers' W3C Bitstring Status List credentials, published to this
 * gateway (no network fetch ever happens at check time). Publication is self-authenticating: any
 * authenticated caller may relay a list, the gateway stores it only if its proof verifies and it is
 * not older than the list it replaces. Credentials whose `credentialStatus` points to a list the
 * gateway does not hold are refused with STATUS_LIST_UNAVAILABLE; a set bit with CREDENTIAL_REVOKED.
 */
import { Type } from '@sinclair/typebox';
import { ApiError } from '../problem.js';
import type { RouteContext, TypedApp } from './context.js';
import { RecordSchema, responses } from './schemas.js';

/** Registers the status list routes. */
export function statusListRoutes(app: TypedApp, context: RouteContext): void {
  app.put('/v1/status-lists', {
    schema: {
      tags: ['credentials'], summary: 'Publish an issuer\'s BitstringStatusListCredential (its proof must verify)',
      body: Type.Object({ credential: Type.Object({}, { additionalProperties: true }) }, { additionalProperties: false }),
      response: responses({ 200: Type.Object({ id: Type.String() }) }, [400, 401, 422]),
    },
  }, async (request) => {
    context.caller(request);
    const registry = context.services.credentials.statusLists;
    if (registry === undefined) throw new ApiError(422, 'STATUS_LIST_UNAVAILABLE', 'this gateway keeps no status lists');
    const refused = await registry.publish(request.body.credential, context.services.credentials.documentLoader);
    if (refused !== undefined) throw new ApiError(422, 'INVALID_STATUS_LIST', `the status list credential is refused: ${refused}`);
    return { id: String((request.body.credential as { id?: unknown }).id) };
  });

  app.get('/v1/status-lists', {
    schema: {
      tags: ['credentials'], summary: 'One published status list credential, by its id (URL)',
      querystring: Type.Object({ id: Type.String({ minLength: 1, maxLength: 2048 }) }),
      response: responses({ 200: RecordSchema }, [400, 401, 404]),
    },
  }, async (request) => {
    const list = context.services.credentials.statusLists?.get(request.query.id);
    if (list === undefined) throw new ApiError(404, 'NOT_FOUND', `no status list ${request.query.id} is published here`);
    return list;
  });
}
