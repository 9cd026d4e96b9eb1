/**
 * Identities: a Fabric X.509 identity written `${mspId}::x509::<subject>::<issuer>`, and the
 * operator test (OU `admin` in the certificate subject, as Fabric NodeOUs mark MSP admins).
 */
import { invalid } from './args';

/** The identity a transaction runs as. */
export interface Caller {
  /** `${mspId}::${clientIdentity.getID()}`. */
  identity: string;
  mspId: string;
  /** An admin of its MSP by NodeOU: may grant roles and manage its MSP's protocols. */
  operator: boolean;
}

/** An identity string split into its MSP id and Fabric client id. */
export interface ParsedIdentity {
  mspId: string;
  id: string;
}

const MSP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const CLIENT_ID = /^x509::.+::.+$/s;
const MAX_IDENTITY_LENGTH = 2048;

/** The identity string of a client: `${mspId}::${id}` where id is `x509::<subject>::<issuer>`. */
export function formatIdentity(mspId: string, id: string): string {
  return `${mspId}::${id}`;
}

/** Parses an MSP id. */
export function parseMspId(value: unknown, field = 'mspId'): string {
  if (typeof value !== 'string' || !MSP_ID.test(value)) throw invalid(field, `must match ${MSP_ID.source}`);
  return value;
}

/** Parses and checks an identity string (refused with INVALID_ARGUMENT naming `field`). */
export function parseIdentity(value: unknown, field = 'identity'): ParsedIdentity {
  if (typeof value !== 'string' || value.length > MAX_IDENTITY_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) {
    throw invalid(field, 'must be an identity string MSPID::x509::<subject>::<issuer>');
  }
  const separator = value.indexOf('::');
  const mspId = value.slice(0, separator);
  const id = value.slice(separator + 2);
  if (separator < 0 || !MSP_ID.test(mspId) || !CLIENT_ID.test(id)) {
    throw invalid(field, `${value} is not an identity string MSPID::x509::<subject>::<issuer>`);
  }
  return { mspId, id };
}

/**
 * The organisational units of an X.509 subject as printed by node:crypto's X509Certificate
 * (one `NAME=value` per line; a multi-valued RDN joins its parts with `+`).
 */
export function organizationalUnits(subject: string): string[] {
  return subject
    .split('\n')
    .flatMap((rdn) => rdn.split('+'))
    .map((attribute) => attribute.trim())
    .filter((attribute) => attribute.startsWith('OU='))
    .map((attribute) => attribute.slice(3));
}

/** True when the subject carries the NodeOU `admin`. */
export function isOperatorSubject(subject: string): boolean {
  return organizationalUnits(subject).includes('admin');
}
