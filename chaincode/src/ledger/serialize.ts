/**
 * Deterministic JSON: object keys sorted recursively, so every endorsing peer writes identical
 * bytes for the same record.
 */

/** A JSON value with every object's keys in sorted order (undefined fields dropped). */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields).sort()) {
    if (fields[key] !== undefined) sorted[key] = sortKeysDeep(fields[key]);
  }
  return sorted;
}

/** Canonical JSON text of `value` (recursively sorted keys, no whitespace). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value));
}

/** Canonical JSON bytes of `value`, as written to the world state. */
export function canonicalBytes(value: unknown): Uint8Array {
  return Buffer.from(canonicalJson(value), 'utf8');
}
