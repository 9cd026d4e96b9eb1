/**
 * Maps what fabric-gateway throws to {@link ApiError}: the chaincode's typed refusal (decoded from
 * each peer's message with `ChaincodeError.fromWire`) with its HTTP status, or an unavailable
 * Fabric (503). Never matches on prose, except the one transient the Fabric docs name.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ChaincodeError, type ErrorCode } from '@impact-ledger/chaincode/errors';
import { ApiError } from '../problem.js';

/** HTTP status of each chaincode error code. */
export const CHAINCODE_ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_UNIT: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  FORBIDDEN_ROLE: 403,
  FOREIGN_MSP: 403,
  NOT_DESIGNATED: 403,
  CONFLICT_OF_INTEREST: 403,
  SAME_ORG_VALIDATOR: 403,
  NOT_OWNER: 403,
  CREDENTIAL_REPLAYED: 409,
  DOUBLE_COUNTING: 409,
  PROTOCOL_NOT_ACTIVE: 409,
  PROTOCOL_IMMUTABLE: 409,
  PROTOCOL_NOT_OWNED: 403,
  PROTOCOL_CATEGORY_CHANGED: 409,
  INVALID_PROTOCOL_SCHEMA: 400,
  INVALID_STATE_TRANSITION: 409,
  ALREADY_VERIFIED: 409,
  QUORUM_CLOSED: 409,
  CLAIM_NOT_VERIFIED: 409,
  PROOF_ALREADY_ISSUED: 409,
  PROOF_RETIRED: 409,
  PROOF_SETTLED: 409,
  PROOF_LEVEL_TOO_LOW: 422,
  EVIDENCE_INSUFFICIENT: 422,
  PERIOD_TOO_LONG: 422,
  VALUE_ABOVE_MEDIAN: 422,
  INSUFFICIENT_QUANTITY: 422,
  SPLIT_DEPTH_EXCEEDED: 422,
  QUANTITY_OVERFLOW: 422,
  NOT_ELIGIBLE: 422,
  ALREADY_SETTLED: 409,
  BUDGET_EXCEEDED: 409,
  BUDGET_BELOW_SETTLED: 409,
  CAMPAIGN_CLOSED: 409,
  PROOF_FLAGGED: 409,
  CLAIM_FLAGGED: 409,
  CREDENTIAL_REVOKED: 422,
  INVALID_CREDENTIAL: 422,
  CREDENTIAL_TOO_LARGE: 422,
  INVALID_CREDENTIAL_SCHEMA: 422,
  REMOTE_CONTEXT_REFUSED: 422,
  INVALID_JSON_LD: 422,
  UNSUPPORTED_CRYPTOSUITE: 422,
  UNTRUSTED_ISSUER: 422,
  INVALID_SIGNATURE: 422,
  CREDENTIAL_NOT_YET_VALID: 422,
  CREDENTIAL_EXPIRED: 422,
  INVALID_SUBJECT_SCHEMA: 422,
  INVALID_QUANTITY: 422,
  INVALID_PERIOD: 422,
  INVALID_SUBJECT_ID: 422,
  TX_TIMESTAMP_SKEW: 400,
  INVALID_STATUS_LIST: 422,
  STATUS_LIST_ISSUER_MISMATCH: 409,
  STATUS_LIST_NOT_YET_VALID: 422,
  STATUS_LIST_ROLLBACK: 409,
  STATUS_LIST_UNAVAILABLE: 422,
  PSEUDONYM_SECRET_SET: 409,
  PSEUDONYM_SECRET_UNSET: 503,
  CORRUPT_STATE: 500,
  INTERNAL: 500,
};

interface PeerDetail { readonly message: string }

function peerDetails(error: unknown): readonly PeerDetail[] {
  const details: unknown = typeof error === 'object' && error !== null ? Reflect.get(error, 'details') : undefined;
  if (!Array.isArray(details)) return [];
  return details.filter((detail): detail is PeerDetail => typeof detail === 'object' && detail !== null && typeof Reflect.get(detail, 'message') === 'string');
}

function grpcCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
}

/** The chaincode's typed error carried by a Fabric error (any peer's detail, or the message). */
export function chaincodeErrorOf(error: unknown): ChaincodeError | undefined {
  for (const detail of peerDetails(error)) {
    const decoded = ChaincodeError.fromWire(detail.message);
    if (decoded !== undefined) return decoded;
  }
  return error instanceof Error ? ChaincodeError.fromWire(error.message) : undefined;
}

/**
 * Right after a peer restart the gateway cannot plan endorsement for about a second (fabric-gateway
 * issue 269): the only error recognised by its text, because it has no code of its own.
 */
export function isTransientPlanningError(error: unknown): boolean {
  const texts = [error instanceof Error ? error.message : '', ...peerDetails(error).map((d) => d.message)];
  return texts.some((text) => text.includes('no combination of peers'));
}

const UNAVAILABLE_CODES: ReadonlySet<unknown> = new Set([GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.CANCELLED]);

/** True when Fabric could not be reached or did not answer in time. */
export function isUnavailable(error: unknown): boolean {
  return UNAVAILABLE_CODES.has(grpcCode(error)) || isTransientPlanningError(error);
}

/** The ApiError a failed Fabric call becomes. */
export function toApiError(error: unknown, what: string): ApiError {
  if (error instanceof ApiError) return error;
  const refusal = chaincodeErrorOf(error);
  if (refusal !== undefined) return new ApiError(CHAINCODE_ERROR_STATUS[refusal.code], refusal.code, refusal.message, refusal.details ?? {}, { cause: error });
  if (isUnavailable(error)) {
    return new ApiError(503, 'FABRIC_UNAVAILABLE', `no peer answered ${what} in time; retry later`, {}, { cause: error });
  }
  return new ApiError(502, 'FABRIC_ERROR', `Fabric refused ${what}: ${error instanceof Error ? error.message : String(error)}`, {}, { cause: error });
}
