/**
 * Errors of the credential layer. A bad credential is never an exception (see `checkCredential`,
 * which returns a refusal); these are thrown for refused documents inside the document loader and
 * for configuration that cannot work (an issuer key registry or a subject schema that is invalid).
 */
import type { JsonObject } from './json.js';

/** Stable codes of {@link CredentialError}. */
export const CREDENTIAL_ERROR_CODES = [
  'REMOTE_CONTEXT_REFUSED',
  'UNKNOWN_DOCUMENT',
  'INVALID_ISSUER_KEY',
  'INVALID_PROTOCOL_SCHEMA',
  'INVALID_CREDENTIAL',
] as const;

/** The stable code of a {@link CredentialError}. */
export type CredentialErrorCode = (typeof CREDENTIAL_ERROR_CODES)[number];

/**
 * The one error type of the credential layer: a stable `code`, a message that says what was wrong
 * and what to do, JSON `details` safe to show a caller, and the underlying `cause` when there is one.
 */
export class CredentialError extends Error {
  override readonly name = 'CredentialError';

  constructor(
    readonly code: CredentialErrorCode,
    message: string,
    readonly details: JsonObject = {},
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The first {@link CredentialError} in an error's cause chain. jsonld.js wraps loader failures in
 * its own errors and keeps ours under `details.cause`; Error causes use `cause`.
 */
export function findCredentialError(error: unknown, depth = 0): CredentialError | undefined {
  if (error instanceof CredentialError) return error;
  if (typeof error !== 'object' || error === null || depth > 8) return undefined;
  const details: unknown = Reflect.get(error, 'details');
  const nested = typeof details === 'object' && details !== null ? Reflect.get(details, 'cause') : undefined;
  return findCredentialError(Reflect.get(error, 'cause'), depth + 1) ?? findCredentialError(nested, depth + 1);
}

/** `cause` (the code) and the details of the first {@link CredentialError} behind `error`, if any. */
export function causeDetails(error: unknown): JsonObject {
  const cause = findCredentialError(error);
  return cause === undefined ? {} : { cause: cause.code, ...cause.details };
}

function stringField(source: unknown, key: string): string | undefined {
  const value: unknown = typeof source === 'object' && source !== null ? Reflect.get(source, key) : undefined;
  return typeof value === 'string' ? value : undefined;
}

function objectField(source: unknown, key: string): unknown {
  return typeof source === 'object' && source !== null ? Reflect.get(source, key) : undefined;
}

/**
 * What a jsonld.js error says, JSON-ready: its code and, for a safe-mode refusal, the event that
 * caused it (for example `invalid property` with the property that did not expand).
 */
export function jsonLdErrorDetails(error: unknown): JsonObject {
  const details = objectField(error, 'details');
  const event = objectField(details, 'event');
  const found: Array<[string, string | undefined]> = [
    ['reason', stringField(event, 'message') ?? describeError(error)],
    ['jsonLdCode', stringField(details, 'code') ?? stringField(event, 'code')],
    ['property', stringField(objectField(event, 'details'), 'property')],
  ];
  return Object.fromEntries(found.filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** A short, stack-free description of any thrown value, for refusal details. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
