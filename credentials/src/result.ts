/** The outcome of checking a credential: accepted with what the claim anchors, or refused with a code. */
import type { JsonObject } from './json.js';

/** Every reason a credential is refused, one stable code each (in the order they are checked). */
export const CREDENTIAL_REFUSAL_CODES = [
  'CREDENTIAL_TOO_LARGE',
  'INVALID_CREDENTIAL_SCHEMA',
  'REMOTE_CONTEXT_REFUSED',
  'INVALID_JSON_LD',
  'UNSUPPORTED_CRYPTOSUITE',
  'UNTRUSTED_ISSUER',
  'INVALID_SIGNATURE',
  'CREDENTIAL_NOT_YET_VALID',
  'CREDENTIAL_EXPIRED',
  'INVALID_SUBJECT_SCHEMA',
  'INVALID_SUBJECT_ID',
  'INVALID_QUANTITY',
  'INVALID_PERIOD',
] as const;

/** Why a credential was refused. */
export type CredentialRefusalCode = (typeof CREDENTIAL_REFUSAL_CODES)[number];

/** A refused credential: a stable code, a message saying what was wrong and what to do, JSON details. */
export interface CredentialRefusal {
  readonly ok: false;
  readonly code: CredentialRefusalCode;
  readonly message: string;
  readonly details: JsonObject;
}

/** An authentic, current credential (for any protocol): its issuer and hash. */
export interface VerifiedCredential {
  readonly ok: true;
  /** sha256 hex of the RDFC-1.0 canonical form of the whole credential, proof included. */
  readonly credentialHash: string;
  /** The issuer's id. */
  readonly issuer: string;
}

/** An accepted credential: what a claim anchors in its place (hashes, pseudonym, facts). */
export interface AcceptedCredential extends VerifiedCredential {
  /** HMAC-SHA256 hex of the subject id under the protocol's salt; never the id itself. */
  readonly subjectPseudonym: string;
  /** The claimed quantity, a positive safe integer in the protocol's base unit. */
  readonly quantity: number;
  /** First day of the activity period, `YYYY-MM-DD`, inclusive. */
  readonly periodStart: string;
  /** Last day of the activity period, `YYYY-MM-DD`, inclusive. */
  readonly periodEnd: string;
}

/** The result of `checkCredentialIntegrity`: never an exception for a bad credential. */
export type IntegrityCheckResult = VerifiedCredential | CredentialRefusal;

/** The result of `checkCredential`: never an exception for a bad credential. */
export type CredentialCheckResult = AcceptedCredential | CredentialRefusal;

/**
 * A credential that passed the screen (`screenCredential`): what can be read from it without
 * JSON-LD processing or the issuer's key. Not yet authentic: no hash, no pseudonym.
 */
export interface ScreenedCredential {
  readonly ok: true;
  /** The issuer's id (a trusted issuer of the protocol version). */
  readonly issuer: string;
  /** The claimed quantity, a positive safe integer in the protocol's base unit. */
  readonly quantity: number;
  /** First day of the activity period, `YYYY-MM-DD`, inclusive. */
  readonly periodStart: string;
  /** Last day of the activity period, `YYYY-MM-DD`, inclusive. */
  readonly periodEnd: string;
}

/** The result of `screenCredential`: never an exception for a bad credential. */
export type ScreenResult = ScreenedCredential | CredentialRefusal;

/** A value read from a credential, or the refusal that reading it produced. */
export type Checked<T> = { readonly ok: true; readonly value: T } | CredentialRefusal;

/** A refusal. */
export function refuse(code: CredentialRefusalCode, message: string, details: JsonObject = {}): CredentialRefusal {
  return { ok: false, code, message, details };
}

/** A successfully read value. */
export function checked<T>(value: T): Checked<T> {
  return { ok: true, value };
}
