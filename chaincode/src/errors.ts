/**
 * The chaincode's one error type and its stable codes. Imported by the gateway through
 * `@impact-ledger/chaincode/errors`, so this module imports nothing from Fabric (only the
 * credential refusal codes, from the shared package's dependency-free `result` module).
 */
import { CREDENTIAL_REFUSAL_CODES } from '@impact-ledger/credentials/result';

/** Every stable error code a transaction can fail with. Clients map on these, never on prose. */
export const ErrorCodes = [
  'INVALID_ARGUMENT',
  'INVALID_UNIT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'FORBIDDEN_ROLE',
  'FOREIGN_MSP',
  'NOT_DESIGNATED',
  'CONFLICT_OF_INTEREST',
  'SAME_ORG_VALIDATOR',
  'CREDENTIAL_REPLAYED',
  'DOUBLE_COUNTING',
  'PROTOCOL_NOT_ACTIVE',
  'PROTOCOL_IMMUTABLE',
  'PROTOCOL_NOT_OWNED',
  'PROTOCOL_CATEGORY_CHANGED',
  'INVALID_PROTOCOL_SCHEMA',
  'INVALID_STATE_TRANSITION',
  'PROOF_LEVEL_TOO_LOW',
  'EVIDENCE_INSUFFICIENT',
  'PERIOD_TOO_LONG',
  'ALREADY_VERIFIED',
  'QUORUM_CLOSED',
  'CLAIM_NOT_VERIFIED',
  'VALUE_ABOVE_MEDIAN',
  'PROOF_ALREADY_ISSUED',
  'NOT_OWNER',
  'PROOF_RETIRED',
  'PROOF_SETTLED',
  'INSUFFICIENT_QUANTITY',
  'SPLIT_DEPTH_EXCEEDED',
  'QUANTITY_OVERFLOW',
  'NOT_ELIGIBLE',
  'ALREADY_SETTLED',
  'BUDGET_EXCEEDED',
  'BUDGET_BELOW_SETTLED',
  'CAMPAIGN_CLOSED',
  'PROOF_FLAGGED',
  'CLAIM_FLAGGED',
  'CREDENTIAL_REVOKED',
  // refusals of the credential carried in a claim's transient data: the codes of the shared
  // credential checks (the gateway's early check answers with the same ones)
  'INVALID_CREDENTIAL',
  ...CREDENTIAL_REFUSAL_CODES,
  'TX_TIMESTAMP_SKEW',
  // status lists on the ledger (statusLists:Publish; claims:Submit for STATUS_LIST_UNAVAILABLE)
  'INVALID_STATUS_LIST',
  'STATUS_LIST_ISSUER_MISMATCH',
  'STATUS_LIST_NOT_YET_VALID',
  'STATUS_LIST_ROLLBACK',
  'STATUS_LIST_UNAVAILABLE',
  'PSEUDONYM_SECRET_SET',
  'PSEUDONYM_SECRET_UNSET',
  'CORRUPT_STATE',
  'INTERNAL',
] as const;

/** A stable, machine-readable failure code. */
export type ErrorCode = (typeof ErrorCodes)[number];

/** True when `value` is one of {@link ErrorCodes}. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ErrorCodes as readonly string[]).includes(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A refusal or failure of a chaincode transaction: a stable `code`, a human `message` saying what
 * was wrong and what to do, and optional structured `details` (for DOUBLE_COUNTING: the
 * conflicting claim id and the first overlapping day). On the wire (the peer's error message) it
 * travels as the JSON produced by {@link ChaincodeError.toWire}.
 */
export class ChaincodeError extends Error {
  /** The stable code. */
  readonly code: ErrorCode;
  /** Structured facts about the failure, if any. */
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ChaincodeError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }

  /** The wire form: `{"code":…,"details":…,"message":…}` (keys in sorted order, no stack). */
  toWire(): string {
    const wire: Record<string, unknown> = { code: this.code };
    if (this.details !== undefined) wire.details = this.details;
    wire.message = this.message;
    return JSON.stringify(wire);
  }

  /**
   * Decodes the wire form found anywhere inside `message` (the peer may prefix it, e.g.
   * `chaincode response 500, {...}`); undefined when no chaincode error is in it.
   */
  static fromWire(message: string): ChaincodeError | undefined {
    const end = message.lastIndexOf('}');
    for (let start = message.indexOf('{'); start !== -1 && start < end; start = message.indexOf('{', start + 1)) {
      const decoded = decodeWireObject(message, start, end);
      if (decoded) return decoded;
    }
    return undefined;
  }
}

/** Tries every closing brace from the last one backwards, so text after the JSON is tolerated. */
function decodeWireObject(message: string, start: number, end: number): ChaincodeError | undefined {
  for (let close = end; close > start; close = message.lastIndexOf('}', close - 1)) {
    const decoded = asChaincodeError(tryParse(message.slice(start, close + 1)));
    if (decoded) return decoded;
  }
  return undefined;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // not JSON at this position: the caller tries the next candidate
  }
}

function asChaincodeError(value: unknown): ChaincodeError | undefined {
  if (!isPlainObject(value) || !isErrorCode(value.code) || typeof value.message !== 'string') return undefined;
  const details = value.details;
  if (details !== undefined && !isPlainObject(details)) return undefined;
  return new ChaincodeError(value.code, value.message, details);
}
