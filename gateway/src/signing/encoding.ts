/**
 * Just enough PEM, ASN.1 DER and protobuf reading for a client to check what it is asked to sign,
 * pure (no Node or browser API beyond atob/btoa) so that the browser dashboard and Node share it.
 */

export class EncodingError extends Error {
  constructor(readonly code: 'PEM_MALFORMED' | 'DER_MALFORMED' | 'PROTOBUF_MALFORMED', message: string) {
    super(message);
    this.name = 'EncodingError';
  }
}

export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

export interface PemBlock { readonly label: string; readonly der: Uint8Array<ArrayBuffer> }

/** Every `-----BEGIN X-----` ... `-----END X-----` block of a text, decoded. */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END ([A-Z0-9 ]+)-----/g)) {
    const [, label = '', body = '', end = ''] = match;
    if (label !== end) throw new EncodingError('PEM_MALFORMED', `PEM block BEGIN ${label} ends with END ${end}`);
    const base64 = body.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new EncodingError('PEM_MALFORMED', `PEM block ${label} is not base64`);
    blocks.push({ label, der: base64ToBytes(base64) });
  }
  return blocks;
}

/** The DER of the one PEM block with that label in a text. */
export function derOfPem(text: string, label: string): Uint8Array<ArrayBuffer> {
  const found = pemBlocks(text).filter((b) => b.label === label);
  if (found.length !== 1 || found[0] === undefined) throw new EncodingError('PEM_MALFORMED', `expected one PEM block "${label}", found ${found.length}`);
  return found[0].der;
}

interface Tlv { readonly tag: number; readonly start: number; readonly content: Uint8Array<ArrayBuffer>; readonly end: number }

/** One DER TLV at `at` (definite lengths only). */
function tlv(der: Uint8Array<ArrayBuffer>, at: number): Tlv {
  const fail = (): never => { throw new EncodingError('DER_MALFORMED', `bad DER element at ${at}`); };
  const tag = der[at] ?? fail();
  let length = der[at + 1] ?? fail();
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3) fail();
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[at + 2 + i] ?? fail());
    header += count;
  }
  const end = at + header + length;
  if (end > der.length) fail();
  return { tag, start: at, content: der.subarray(at + header, end), end };
}

function children(content: Uint8Array<ArrayBuffer>): Tlv[] {
  const out: Tlv[] = [];
  for (let at = 0; at < content.length;) {
    const child = tlv(content, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** The SubjectPublicKeyInfo (DER) of an X.509 certificate (DER), to import its public key. */
export function spkiOfCertificateDer(certificate: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const outer = tlv(certificate, 0);
  const tbs = children(outer.content)[0];
  if (outer.tag !== 0x30 || tbs?.tag !== 0x30) throw new EncodingError('DER_MALFORMED', 'not an X.509 certificate');
  const fields = children(tbs.content);
  // [0] version (optional), serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
  const index = fields[0]?.tag === 0xa0 ? 6 : 5;
  const spki = fields[index];
  if (spki?.tag !== 0x30) throw new EncodingError('DER_MALFORMED', 'the certificate has no subjectPublicKeyInfo');
  return tbs.content.subarray(spki.start, spki.end);
}

/** The fields of one protobuf message: field number -> its values (varints as numbers, the rest as bytes). */
export type ProtoFields = Map<number, (number | Uint8Array<ArrayBuffer>)[]>;

export function protoFields(bytes: Uint8Array<ArrayBuffer>): ProtoFields {
  const fields: ProtoFields = new Map();
  const fail = (why: string): never => { throw new EncodingError('PROTOBUF_MALFORMED', `bad protobuf message: ${why}`); };
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift > 63) fail('varint too long');
      const byte = bytes[at++] ?? fail('truncated varint');
      value += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return value;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let value: number | Uint8Array<ArrayBuffer>;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const length = varint();
      if (at + length > bytes.length) fail('truncated bytes');
      value = bytes.subarray(at, at + length);
      at += length;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (at + size > bytes.length) fail('truncated fixed');
      value = bytes.subarray(at, at + size);
      at += size;
    } else value = fail(`wire type ${wire}`);
    if (field === 0) fail('field 0');
    const list = fields.get(field) ?? [];
    list.push(value);
    fields.set(field, list);
  }
  return fields;
}

/** The bytes of a length-delimited field (the last occurrence, as protobuf reads it); empty when absent. */
export function protoBytes(fields: ProtoFields, field: number): Uint8Array<ArrayBuffer> {
  const value = fields.get(field)?.at(-1);
  if (value === undefined) return new Uint8Array(0);
  if (typeof value === 'number') throw new EncodingError('PROTOBUF_MALFORMED', `field ${field} is not length-delimited`);
  return value;
}

export function protoString(fields: ProtoFields, field: number): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(protoBytes(fields, field));
}

/** Every occurrence of a repeated length-delimited field. */
export function protoRepeatedBytes(fields: ProtoFields, field: number): Uint8Array<ArrayBuffer>[] {
  return (fields.get(field) ?? []).map((value) => {
    if (typeof value === 'number') throw new EncodingError('PROTOBUF_MALFORMED', `field ${field} is not length-delimited`);
    return value;
  });
}
