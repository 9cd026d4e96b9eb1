/** JSON values as the gateway handles them once parsed: no `undefined`, no functions, no cycles. */

/** A JSON scalar. */
export type JsonPrimitive = string | number | boolean | null;

/** Any JSON value. */
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** True for a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A plain JSON copy of `value` and its UTF-8 size, or `undefined` when `value` cannot be written
 * as JSON (a cycle, a BigInt) or is not an object. The copy drops prototypes, getters and
 * `undefined`, so what is checked is exactly what would travel over the wire.
 */
export function toJsonObject(value: unknown): { object: JsonObject; bytes: number } | undefined {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  const object: unknown = JSON.parse(text);
  return isJsonObject(object) ? { object, bytes: Buffer.byteLength(text, 'utf8') } : undefined;
}
