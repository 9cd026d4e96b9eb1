/**
 * ECDSA P-256 signature encodings, pure (no Node or browser API), shared by the Node clients and
 * the browser dashboard: WebCrypto and node:crypto's `ieee-p1363` give r||s (2 x 32 bytes); Fabric
 * wants ASN.1 DER `SEQUENCE { INTEGER r, INTEGER s }` with a low S (s <= n/2, n the group order),
 * and its BCCSP refuses a high-S signature.
 */

/** The order n of the P-256 group. */
export const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const HALF_ORDER = P256_ORDER >> 1n;
const SCALAR_BYTES = 32;

/** A stable code for every way an encoded signature can be refused. */
export class SignatureEncodingError extends Error {
  constructor(readonly code: 'P1363_LENGTH' | 'SCALAR_RANGE' | 'DER_MALFORMED', message: string) {
    super(message);
    this.name = 'SignatureEncodingError';
  }
}

function bigintOf(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** The minimal big-endian two's-complement content of a positive DER INTEGER. */
function integerContent(value: bigint): number[] {
  const bytes: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  if (bytes.length === 0 || (bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return bytes;
}

/** r and s as DER `SEQUENCE { INTEGER r, INTEGER s }` (both below 128 bytes, so short-form lengths). */
export function derOfScalars(r: bigint, s: bigint): Uint8Array<ArrayBuffer> {
  for (const v of [r, s]) if (v <= 0n || v >= P256_ORDER) throw new SignatureEncodingError('SCALAR_RANGE', 'r and s must lie in [1, n-1]');
  const rc = integerContent(r);
  const sc = integerContent(s);
  const body = [0x02, rc.length, ...rc, 0x02, sc.length, ...sc];
  return Uint8Array.from([0x30, body.length, ...body]);
}

/** s when it is low, n - s otherwise (both verify; Fabric accepts only the low one). */
export function lowS(s: bigint): bigint {
  return s > HALF_ORDER ? P256_ORDER - s : s;
}

export function isLowS(s: bigint): boolean {
  return s <= HALF_ORDER;
}

/** A P1363 signature (r||s, 64 bytes, as WebCrypto's ECDSA sign returns) as DER with low S. */
export function p1363ToLowSDer(signature: Uint8Array): Uint8Array<ArrayBuffer> {
  if (signature.length !== 2 * SCALAR_BYTES) throw new SignatureEncodingError('P1363_LENGTH', `a P-256 P1363 signature has 64 bytes, not ${signature.length}`);
  const r = bigintOf(signature.subarray(0, SCALAR_BYTES));
  const s = bigintOf(signature.subarray(SCALAR_BYTES));
  return derOfScalars(r, lowS(s));
}

/** Reads a strict DER `SEQUENCE { INTEGER r, INTEGER s }` (minimal encodings, nothing trailing). */
export function scalarsOfDer(der: Uint8Array): { r: bigint; s: bigint } {
  const fail = (why: string): never => { throw new SignatureEncodingError('DER_MALFORMED', `not a DER ECDSA signature: ${why}`); };
  if (der[0] !== 0x30 || der.length < 2 || der[1] !== der.length - 2 || (der[1] ?? 0) > 0x7f) fail('bad SEQUENCE header');
  let at = 2;
  const integer = (): bigint => {
    const length = der[at + 1] ?? 0;
    if (der[at] !== 0x02 || length === 0 || length > 0x7f || at + 2 + length > der.length) fail('bad INTEGER');
    const content = der.subarray(at + 2, at + 2 + length);
    if ((content[0] ?? 0) & 0x80) fail('negative INTEGER');
    if (content.length > 1 && content[0] === 0 && !((content[1] ?? 0) & 0x80)) fail('non-minimal INTEGER');
    at += 2 + length;
    return bigintOf(content);
  };
  const r = integer();
  const s = integer();
  if (at !== der.length) fail('trailing bytes');
  for (const v of [r, s]) if (v <= 0n || v >= P256_ORDER) throw new SignatureEncodingError('SCALAR_RANGE', 'r and s must lie in [1, n-1]');
  return { r, s };
}
