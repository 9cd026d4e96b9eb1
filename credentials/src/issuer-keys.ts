/**
 * The configured issuer key registry: issuers that are not did:key (an https issuer such as
 * `https://vc.example/issuers/5678`) and the Ed25519 keys they sign with, given as data and served
 * by the static document loader as a controller document plus one Multikey per key.
 */
import { ED25519_MULTIKEY_PREFIX } from './did-key.js';
import { CredentialError } from './errors.js';
import type { JsonObject } from './json.js';

/** One signing key of a registered issuer. */
export interface IssuerVerificationKey {
  /** Verification method id, `<controller>#<fragment>`, as credentials' proofs name it. */
  readonly id: string;
  /** Ed25519 public key as a Multikey `publicKeyMultibase` (`z6Mk...`). */
  readonly publicKeyMultibase: string;
}

/** One issuer of the registry: its id (the credential's `issuer`) and its keys. */
export interface IssuerKeyRecord {
  readonly controller: string;
  readonly keys: readonly IssuerVerificationKey[];
}

const DID_CONTEXT_V1_URL = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_CONTEXT_V1_URL = 'https://w3id.org/security/multikey/v1';
const BASE58_MULTIBASE = /^z[1-9A-HJ-NP-Za-km-z]{46,48}$/;

function invalidKey(message: string, details: JsonObject): CredentialError {
  return new CredentialError('INVALID_ISSUER_KEY', `issuer key registry: ${message}; fix the registry entry`, details);
}

function assertKey(controller: string, key: IssuerVerificationKey): void {
  if (!key.id.startsWith(`${controller}#`)) {
    throw invalidKey(`key id ${key.id} must start with its controller followed by '#'`, { controller, id: key.id });
  }
  if (!key.publicKeyMultibase.startsWith(ED25519_MULTIKEY_PREFIX) || !BASE58_MULTIBASE.test(key.publicKeyMultibase)) {
    throw invalidKey(`key ${key.id} is not an Ed25519 Multikey (z6Mk...)`, { id: key.id });
  }
}

function assertController(controller: string): void {
  if (!URL.canParse(controller) || controller.includes('#')) {
    throw invalidKey(`controller ${controller} must be an absolute URL without a fragment`, { controller });
  }
}

function multikey(controller: string, key: IssuerVerificationKey): JsonObject {
  return {
    '@context': MULTIKEY_CONTEXT_V1_URL,
    id: key.id,
    type: 'Multikey',
    controller,
    publicKeyMultibase: key.publicKeyMultibase,
  };
}

/**
 * The controller document. Its `@context` starts with the DID v1 context on purpose: jsonld-signatures
 * then reads `assertionMethod` directly instead of framing the document (which would need more
 * contexts than the gateway bundles).
 */
function controllerDocument(record: IssuerKeyRecord): JsonObject {
  const methods = record.keys.map((key) => multikey(record.controller, key));
  return {
    '@context': [DID_CONTEXT_V1_URL, MULTIKEY_CONTEXT_V1_URL],
    id: record.controller,
    verificationMethod: methods,
    assertionMethod: record.keys.map((key) => key.id),
  };
}

/** The documents the registry serves, by URL: each controller document and each key. */
export function issuerKeyDocuments(registry: readonly IssuerKeyRecord[]): Map<string, JsonObject> {
  const documents = new Map<string, JsonObject>();
  const add = (url: string, document: JsonObject): void => {
    if (documents.has(url)) throw invalidKey(`${url} is listed twice`, { url });
    documents.set(url, document);
  };
  for (const record of registry) {
    assertController(record.controller);
    add(record.controller, controllerDocument(record));
    for (const key of record.keys) {
      assertKey(record.controller, key);
      add(key.id, multikey(record.controller, key));
    }
  }
  return documents;
}
