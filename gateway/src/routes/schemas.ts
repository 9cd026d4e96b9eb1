/**
 * Schemas shared by the routes: problem details, committed-transaction envelopes, pages, and the
 * helper that declares every response code of a route.
 */
import { Type, type TSchema } from '@sinclair/typebox';

/** RFC 9457 problem details with the gateway's stable `code` and any extension members. */
export const ProblemSchema = Type.Object({
  type: Type.String({ format: 'uri' }),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  code: Type.String({ description: 'stable machine-readable code, e.g. DOUBLE_COUNTING, FORBIDDEN_ROLE, INVALID_SIGNATURE' }),
}, { additionalProperties: true, description: 'RFC 9457 problem details (application/problem+json)' });

/** A ledger record: the chaincode's JSON, passed through as it is. */
export const RecordSchema = Type.Object({}, { additionalProperties: true, description: 'a ledger record (see the chaincode types)' });

/** The response of a mutation: the chaincode's result, the transaction id and its block. */
export function committed(result: TSchema = RecordSchema) {
  return Type.Object({
    result,
    txId: Type.String(),
    blockNumber: Type.Integer({ minimum: 0 }),
  });
}

/** A page of records with the cursor of the next page ('' when there is none). */
export const PageSchema = Type.Object({
  records: Type.Array(RecordSchema),
  cursor: Type.String({ description: "pass as `cursor` for the next page; '' when this is the last" }),
});

/** Page size and cursor query parameters. */
export const PageQuerySchema = {
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
  cursor: Type.Optional(Type.String({ maxLength: 1024 })),
};

/** A lowercase sha256 hex string. */
export const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$' });

/** A protocol id. */
export const ProtocolId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' });

/** The `Idempotency-Key` header of mutations. */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'retries with the same key return the first response' })),
});

const PROBLEM_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'the request does not match its schema (VALIDATION_FAILED; JSON_TOO_DEEP for a body nested deeper than 64 levels) or the chaincode refused an argument (INVALID_ARGUMENT, INVALID_PROTOCOL_SCHEMA) or a transaction timestamp too far from the endorsing peers\' clocks (TX_TIMESTAMP_SKEW)',
  401: 'no or unknown bearer token (UNAUTHENTICATED)',
  403: 'the caller lacks the role or designation (FORBIDDEN_ROLE, FOREIGN_MSP, NOT_DESIGNATED, CONFLICT_OF_INTEREST, SAME_ORG_VALIDATOR, NOT_OWNER, PROTOCOL_NOT_OWNED)',
  404: 'no such record (NOT_FOUND)',
  409: 'conflicts with the ledger state (DOUBLE_COUNTING, CREDENTIAL_REPLAYED, QUORUM_CLOSED, PROOF_SETTLED, PROTOCOL_CATEGORY_CHANGED, ...) or an Idempotency-Key in flight',
  422: 'well-formed but refused: credential checks (INVALID_SIGNATURE, CREDENTIAL_EXPIRED, INVALID_SUBJECT_ID, ...), VALUE_ABOVE_MEDIAN, IDEMPOTENCY_KEY_REUSED, ...',
  412: 'this organisation\'s peer has not committed the Min-Block-Number asked for (BLOCK_NOT_YET_COMMITTED): retry shortly, or without the header',
  503: 'Fabric is unreachable (FABRIC_UNAVAILABLE), or the network\'s pseudonym secret is not set yet (PSEUDONYM_SECRET_UNSET); retry later',
};

/** The usual problem codes of an authenticated route. */
export const READ_PROBLEMS = [400, 401, 404, 503] as const;
/** The usual problem codes of an authenticated mutation. */
export const WRITE_PROBLEMS = [400, 401, 403, 404, 409, 422, 503] as const;

/** A route's response map: the success schemas plus a Problem for each listed status. */
/** A declared problem response of `status` (served as application/problem+json). */
export function problemResponse(status: number): TSchema {
  return Type.Unsafe({ description: PROBLEM_DESCRIPTIONS[status] ?? 'problem details', content: { 'application/problem+json': { schema: ProblemSchema } } });
}

export function responses(success: Record<number, TSchema>, problems: readonly number[]): Record<number, TSchema> {
  const map: Record<number, TSchema> = { ...success };
  // Problems are served as application/problem+json (RFC 9457): declared with that media type.
  for (const status of problems) {
    map[status] = problemResponse(status);
  }
  return map;
}
