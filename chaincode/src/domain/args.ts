/**
 * Parsing of untrusted input (transaction arguments and JSON documents) into domain values.
 * Every refusal is INVALID_ARGUMENT with a message and details naming the offending field.
 */
import { ChaincodeError } from '../errors';

/** A JSON object whose fields are still unchecked. */
export type Fields = Readonly<Record<string, unknown>>;

const HEX64 = /^[0-9a-f]{64}$/;
const DECIMAL_INTEGER = /^(0|[1-9][0-9]*)$/;

/** An INVALID_ARGUMENT refusal naming `field` and why. */
export function invalid(field: string, reason: string): ChaincodeError {
  return new ChaincodeError('INVALID_ARGUMENT', `${field}: ${reason}`, { field, reason });
}

/** Parses a transaction argument that must hold one JSON document. */
export function parseJsonArgument(text: string, field: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid(field, 'must be a JSON document');
  }
}

/** `value` as a JSON object (not null, not an array). */
export function asFields(value: unknown, field: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, 'must be a JSON object');
  return value as Fields;
}

/** Refuses fields other than `allowed`, so a typo never silently drops data. */
export function onlyFields(fields: Fields, allowed: readonly string[], field: string): void {
  const unknown = Object.keys(fields).sort().find((name) => !allowed.includes(name));
  if (unknown !== undefined) throw invalid(`${field}.${unknown}`, 'is not a known field');
}

/** A non-empty string of at most `max` characters, optionally matching `pattern`. */
export function text(value: unknown, field: string, max = 256, pattern?: RegExp): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(field, 'must be a non-empty string');
  if (value.length > max) throw invalid(field, `must be at most ${max} characters`);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw invalid(field, 'must not contain control characters');
  if (pattern && !pattern.test(value)) throw invalid(field, `must match ${pattern.source}`);
  return value;
}

/** A sha256 digest: 64 lowercase hex characters. */
export function hex64(value: unknown, field: string): string {
  if (typeof value !== 'string' || !HEX64.test(value)) throw invalid(field, 'must be 64 lowercase hex characters (sha256)');
  return value;
}

/** A JSON number that is a safe integer in [min, max]; floats, strings and NaN are refused. */
export function integer(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(field, 'must be a safe integer');
  if (value < min || value > max) throw invalid(field, `must be between ${min} and ${max}`);
  return value;
}

/** A transaction argument holding a decimal integer in [min, max] (no sign, no exponent, no dot). */
export function integerArgument(value: string, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!DECIMAL_INTEGER.test(value)) throw invalid(field, 'must be a decimal integer');
  return integer(Number(value), field, min, max);
}

/** An array of at most `max` items, each parsed by `item`. */
export function list<T>(value: unknown, field: string, item: (v: unknown, f: string) => T, max: number): T[] {
  if (!Array.isArray(value)) throw invalid(field, 'must be an array');
  if (value.length > max) throw invalid(field, `must have at most ${max} items`);
  return value.map((v: unknown, i) => item(v, `${field}[${i}]`));
}

/** Refuses duplicates in `items`. */
export function unique(items: readonly string[], field: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item)) throw invalid(field, `contains ${item} twice`);
    seen.add(item);
  }
}

/** Refuses an empty array. */
export function nonEmpty<T>(items: readonly T[], field: string): void {
  if (items.length === 0) throw invalid(field, 'must not be empty');
}

/** One of `choices`. */
export function oneOf<T extends string>(value: unknown, field: string, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw invalid(field, `must be one of ${choices.join(', ')}`);
  }
  return value as T;
}

/** Page size and bookmark of a paginated query. */
export interface PageRequest {
  pageSize: number;
  bookmark: string;
}

/** Largest page a query returns. */
export const MAX_PAGE_SIZE = 100;

/** Parses the `pageSize` (1..100) and `bookmark` arguments of a paginated query. */
export function pageRequest(pageSize: string, bookmark: string): PageRequest {
  return { pageSize: integerArgument(pageSize, 'pageSize', 1, MAX_PAGE_SIZE), bookmark };
}

/** One page of a paginated query. */
export interface Page<T> {
  records: T[];
  bookmark: string;
  fetchedRecordsCount: number;
}
