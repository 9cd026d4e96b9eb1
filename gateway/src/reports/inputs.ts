/**
 * Declared inputs of a report: every figure travels with its source, and the report carries the
 * sha256 of the canonical JSON (RFC 8785, JCS) of all its inputs, so anyone can check which
 * figures a result was computed from.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

// canonicalize is CommonJS (module.exports = fn) while its typings declare a default export.
const canonicalize = createRequire(import.meta.url)('canonicalize') as (input: unknown) => string | undefined;

/** A figure with where it comes from (a registry, an annual report, an audit, ...). */
export interface Declared<T = number> {
  readonly value: T;
  readonly source: string;
}

/** sha256 (hex) of the RFC 8785 canonical JSON of `inputs`. */
export function inputsHash(inputs: unknown): string {
  const text = canonicalize(inputs);
  if (text === undefined) throw new Error('inputs cannot be canonicalised');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
