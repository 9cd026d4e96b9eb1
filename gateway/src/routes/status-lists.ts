/**
 * Routes `/v1/status-lists`: issuers' W3C Bitstring Status List credentials, published to this
 * gateway (no network fetch ever happens at check time). Who may publish is explicit: an operator
 * (OU=admin) or an identity its operator granted the ledger role `status-publisher`, read from the
 * ledger as the caller (`roles:WhoAmI`). What is stored is decided by status-list-policy.ts: the
 * proof verifies, the issuer is a trusted issuer of some registered protocol version (read from
 * the ledger), a list id stays bound to the issuer of its first list, no future-dated list, no
 * rollback. Credentials whose `credentialStatus` points to a list the gateway does not hold are
 * refused with STATUS_LIST_UNAVAILABLE; a set bit with CREDENTIAL_REVOKED.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../problem.js';
import type { RouteContext, TypedApp } from './context.js';
import { RecordSchema, responses } from './schemas.js';

/** The ledger role that lets a non-operator publish status lists. */
export const STATUS_PUBLISHER_ROLE = 'status-publisher';
const PROTOCOL_PAGE_SIZE = 100;
/** Refusals of the acceptance rule that are conflicts with the list held, not bad documents. */
const CONFLICT_CODES: ReadonlySet<string> = new Set(['STATUS_LIST_ISSUER_MISMATCH', 'STATUS_LIST_ROLLBACK']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses (403 FORBIDDEN_ROLE) a caller who is neither an operator nor a status publisher on the ledger. */
async function assertMayPublish(context: RouteContext, request: FastifyRequest): Promise<void> {
  const me = await context.chaincode(request).roles.whoAmI();
  const operator = isRecord(me) && me.operator === true;
  const roles = isRecord(me) && Array.isArray(me.roles) ? me.roles : [];
  if (operator || roles.includes(STATUS_PUBLISHER_ROLE)) return;
  throw new ApiError(403, 'FORBIDDEN_ROLE', `publishing status lists needs an operator or the ${STATUS_PUBLISHER_ROLE} role; ask an operator of your organisation to grant it`, { role: STATUS_PUBLISHER_ROLE });
}

/** The trusted issuers of every registered protocol version, read from the ledger page by page. */
async function trustedIssuersOnLedger(context: RouteContext, request: FastifyRequest): Promise<string[]> {
  const issuers = new Set<string>();
  let bookmark = '';
  for (;;) {
    const page = await context.chaincode(request).protocols.list(PROTOCOL_PAGE_SIZE, bookmark);
    const records: unknown = isRecord(page) ? page.records : undefined;
    if (!Array.isArray(records)) throw new ApiError(502, 'FABRIC_ERROR', 'the chaincode returned a page of protocols the gateway cannot read');
    for (const record of records) {
      const trusted: unknown = isRecord(record) ? record.trustedIssuers : undefined;
      if (Array.isArray(trusted)) for (const issuer of trusted) if (typeof issuer === 'string') issuers.add(issuer);
    }
    const next: unknown = isRecord(page) ? page.bookmark : undefined;
    if (records.length < PROTOCOL_PAGE_SIZE || typeof next !== 'string' || next === '' || next === bookmark) return [...issuers].sort();
    bookmark = next;
  }
}

/** Registers the status list routes. */
export function statusListRoutes(app: TypedApp, context: RouteContext): void {
  app.put('/v1/status-lists', {
    schema: {
      tags: ['credentials'],
      summary: 'Publish an issuer\'s BitstringStatusListCredential (operator or status-publisher; its proof must verify, its issuer be trusted by a registered protocol)',
      description: 'A list id is bound to the issuer of its first accepted list: another issuer\'s list under the same id is refused (409 STATUS_LIST_ISSUER_MISMATCH), as is an older one (409 STATUS_LIST_ROLLBACK). 422: INVALID_STATUS_LIST, UNTRUSTED_ISSUER, STATUS_LIST_NOT_YET_VALID, STATUS_LIST_UNAVAILABLE.',
      body: Type.Object({ credential: Type.Object({}, { additionalProperties: true }) }, { additionalProperties: false }),
      response: responses({ 200: Type.Object({ id: Type.String() }) }, [400, 401, 403, 409, 422, 503]),
    },
  }, async (request) => {
    context.caller(request);
    const settings = context.services.credentials;
    const registry = settings.statusLists;
    if (registry === undefined) throw new ApiError(422, 'STATUS_LIST_UNAVAILABLE', 'this gateway keeps no status lists');
    await assertMayPublish(context, request);
    const refused = await registry.publish(request.body.credential, settings.documentLoader, { trustedIssuers: await trustedIssuersOnLedger(context, request), now: settings.now() });
    if (refused !== undefined) throw new ApiError(CONFLICT_CODES.has(refused.code) ? 409 : 422, refused.code, refused.message, { ...refused.details });
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
