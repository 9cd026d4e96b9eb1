/**
 * From a credential to a claim submission: reads the protocol version from the ledger, checks the
 * credential against it (refusals become 422 problems with their own code), and derives the
 * pseudonym salt shared by every gateway of the network for the protocol's impact category.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CredentialError, pseudonymSaltFor, type CredentialRefusal, type JsonObject, type SubjectPolicy } from '@impact-ledger/credentials';
import { ApiError } from '../problem.js';
import type { FastifyRequest } from 'fastify';
import type { CredentialSettings, GatewayServices, RouteContext } from './context.js';

const ProtocolPolicySchema = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  category: Type.String(),
  minProofLevel: Type.String(),
  trustedIssuers: Type.Array(Type.String()),
  subjectSchema: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  quantityField: Type.String(),
  periodFields: Type.Object({ start: Type.String(), end: Type.String() }),
});

/** What a claim needs of its protocol version. */
export type ProtocolPolicy = Static<typeof ProtocolPolicySchema>;

/** The policy fields of a protocol version as read from the ledger, checked at the edge. */
export function protocolPolicyOf(record: unknown): ProtocolPolicy {
  if (!Value.Check(ProtocolPolicySchema, record)) throw new ApiError(502, 'FABRIC_ERROR', 'the protocol record read from the ledger lacks the fields a claim needs');
  const { id, version, category, minProofLevel, trustedIssuers, subjectSchema, quantityField, periodFields } = record;
  return { id, version, category, minProofLevel, trustedIssuers, ...(subjectSchema === undefined ? {} : { subjectSchema }), quantityField, periodFields };
}

/** Protocol versions whose policy a gateway keeps in memory (most recently read). */
const POLICY_CACHE_SIZE = 256;
const policyCaches = new WeakMap<GatewayServices, Map<string, ProtocolPolicy>>();

/**
 * The policy of protocol version `id` v`version`, read once per gateway: a registered version's
 * definition never changes (protocols:Register refuses an existing version; the lifecycle only
 * moves its status, which is not part of the policy and which the chaincode checks itself when
 * a claim is submitted). A version not found is never cached.
 */
export async function readProtocolPolicy(context: RouteContext, request: FastifyRequest, id: string, version: number): Promise<ProtocolPolicy> {
  let cache = policyCaches.get(context.services);
  if (cache === undefined) policyCaches.set(context.services, (cache = new Map()));
  const key = `${id}\u0000${version}`;
  const cached = cache.get(key);
  if (cached !== undefined) {
    cache.delete(key);
    cache.set(key, cached);
    return cached;
  }
  const policy = protocolPolicyOf(await context.chaincode(request).protocols.get(id, version));
  if (cache.size >= POLICY_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, policy);
  return policy;
}

/** A refused credential as a 422 problem carrying its own code and details. */
export function refusalProblem(refusal: CredentialRefusal): ApiError {
  return new ApiError(422, refusal.code, refusal.message, { ...refusal.details });
}

/** The policy a protocol version sets for its credentials (salt aside). */
function subjectPolicyOf(protocol: ProtocolPolicy): SubjectPolicy {
  return {
    trustedIssuers: protocol.trustedIssuers,
    ...(protocol.subjectSchema === undefined ? {} : { subjectSchema: protocol.subjectSchema as JsonObject }),
    quantityField: protocol.quantityField,
    periodFields: protocol.periodFields,
  };
}

/** Runs the precheck the gateway is configured with (`credentialPrecheck`): a refusal, or nothing. */
async function precheck(settings: CredentialSettings, protocol: ProtocolPolicy, credential: unknown): Promise<CredentialRefusal | undefined> {
  const policy = subjectPolicyOf(protocol);
  const outcome = settings.precheck === 'full'
    ? await settings.checker.check(credential, { ...policy, pseudonymSalt: pseudonymSaltFor(settings.networkSecret, protocol.category) }, settings.now())
    : await settings.checker.screen(credential, policy, settings.now());
  return outcome.ok ? undefined : outcome;
}

/**
 * Checks `credential` against the protocol version before its claim is submitted, for a fast 422
 * that costs the network nothing: `screen` (the default) or `full` (`credentialPrecheck`). Binding
 * is the endorsing peers' check (claims:Submit), which refuses with the same codes.
 */
export async function acceptCredential(services: GatewayServices, protocol: ProtocolPolicy, credential: unknown): Promise<void> {
  const settings: CredentialSettings = services.credentials;
  let refusal;
  const stopTimer = services.metrics.credentialCheckDuration.startTimer();
  try {
    refusal = await precheck(settings, protocol, credential);
  } catch (error) {
    if (error instanceof CredentialError) throw new ApiError(422, error.code, error.message, { ...error.details });
    throw error;
  } finally {
    stopTimer();
  }
  services.metrics.credentialChecks.inc({ outcome: refusal === undefined ? (settings.precheck === 'full' ? 'accepted' : 'screened') : refusal.code });
  if (refusal !== undefined) throw refusalProblem(refusal);
  // W3C Bitstring Status List bits are checked by every endorsing peer against the lists on the
  // ledger (claims:Submit): a set bit comes back as 422 CREDENTIAL_REVOKED, a list not on the
  // ledger as 422 STATUS_LIST_UNAVAILABLE
}
