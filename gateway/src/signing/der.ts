/**
 * ECDSA P-256 signatures as Fabric wants them: ASN.1 DER `SEQUENCE { r INTEGER, s INTEGER }` with
 * a low S (s <= n/2; Fabric refuses a high S, which is the other valid signature of the same
 * message). Strict DER parsing, encoding, low-S normalisation and the IEEE P1363 (`r || s`, what
 * WebCrypto returns) conversion. No Node APIs: the browser client can use it too.
 */

/** The order n of the P-256 group. */
export const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_ORDER = P256_ORDER >> 1n;
const SCALAR_BYTES = 32;

/** An ECDSA signature's two scalars. */
export interface EcdsaSignature {
  readonly r: bigint;
  readonly s: bigint;
}

/** Bytes that are not a DER-encoded ECDSA P-256 signature. */
export class SignatureFormatError extends Error {
  override readonly name = 'SignatureFormatError';
}

function bigintOf(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function bytesOf(value: bigint, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  if (rest !== 0n) throw new SignatureFormatError(`a scalar does not fit in ${length} bytes`);
  return bytes;
}

/** Reads one minimal DER INTEGER at `offset`; its value and the offset after it. */
function readInteger(der: Uint8Array, offset: number): { value: bigint; next: number } {
  if (der[offset] !== 0x02) throw new SignatureFormatError('expected an INTEGER');
  const length = der[offset + 1];
  if (length === undefined || length === 0 || length > SCALAR_BYTES + 1) throw new SignatureFormatError('an INTEGER has a bad length');
  const start = offset + 2;
  const body = der.subarray(start, start + length);
  if (body.length !== length) throw new SignatureFormatError('an INTEGER is truncated');
  const first = body[0] ?? 0;
  if ((first & 0x80) !== 0) throw new SignatureFormatError('an INTEGER is negative');
  if (first === 0 && length > 1 && ((body[1] ?? 0) & 0x80) === 0) throw new SignatureFormatError('an INTEGER is not minimally encoded');
  return { value: bigintOf(body), next: start + length };
}

/** Parses a strict DER ECDSA signature with 0 < r, s < n; throws {@link SignatureFormatError}. */
export function parseDerSignature(der: Uint8Array): EcdsaSignature {
  if (der.length < 8 || der[0] !== 0x30) throw new SignatureFormatError('not a DER SEQUENCE');
  const length = der[1] ?? 0;
  if (length >= 0x80 || length + 2 !== der.length) throw new SignatureFormatError('the SEQUENCE length does not match the signature');
  const r = readInteger(der, 2);
  const s = readInteger(der, r.next);
  if (s.next !== der.length) throw new SignatureFormatError('bytes after the two INTEGERs');
  for (const scalar of [r.value, s.value]) {
    if (scalar <= 0n || scalar >= P256_ORDER) throw new SignatureFormatError('a scalar is out of range for P-256');
  }
  return { r: r.value, s: s.value };
}

function encodeInteger(value: bigint): number[] {
  let bytes = Array.from(bytesOf(value, SCALAR_BYTES));
  while (bytes.length > 1 && bytes[0] === 0 && ((bytes[1] ?? 0) & 0x80) === 0) bytes = bytes.slice(1);
  if (((bytes[0] ?? 0) & 0x80) !== 0) bytes = [0, ...bytes];
  return [0x02, bytes.length, ...bytes];
}

/** DER encoding of a signature. */
export function encodeDerSignature(signature: EcdsaSignature): Uint8Array {
  const body = [...encodeInteger(signature.r), ...encodeInteger(signature.s)];
  return Uint8Array.from([0x30, body.length, ...body]);
}

/** True when s <= n/2 (the form Fabric accepts). */
export function isLowS(signature: EcdsaSignature): boolean {
  return signature.s <= HALF_ORDER;
}

/** The low-S form of a signature (s > n/2 becomes n - s; the same signature of the same message). */
export function lowS(signature: EcdsaSignature): EcdsaSignature {
  return isLowS(signature) ? signature : { r: signature.r, s: P256_ORDER - signature.s };
}

/** A DER signature re-encoded with a low S. */
export function normaliseDer(der: Uint8Array): Uint8Array {
  return encodeDerSignature(lowS(parseDerSignature(der)));
}

/** The DER low-S form of an IEEE P1363 signature (`r || s`, 64 bytes: WebCrypto's ECDSA output). */
export function p1363ToDer(raw: Uint8Array): Uint8Array {
  if (raw.length !== 2 * SCALAR_BYTES) throw new SignatureFormatError(`a P-256 P1363 signature has ${2 * SCALAR_BYTES} bytes, not ${raw.length}`);
  return encodeDerSignature(lowS({ r: bigintOf(raw.subarray(0, SCALAR_BYTES)), s: bigintOf(raw.subarray(SCALAR_BYTES)) }));
}
