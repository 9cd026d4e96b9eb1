/**
 * What a claim anchors instead of the credential: the credential hash and the subject pseudonym.
 */
import { createHash, createHmac } from 'node:crypto';
import jsonld from 'jsonld';
import type { DocumentLoader } from './document-loader.js';
import type { JsonObject } from './json.js';

/**
 * The RDFC-1.0 canonical N-Quads of the whole credential, proof included. jsonld.js puts the
 * proof's statements in a named graph of their own (a blank node the credential's `proof` edge
 * points to), which is still one canonical form of the whole document. Safe mode: a term that
 * does not expand is an error, never silently left out of the hash.
 */
export async function canonicalNQuads(credential: JsonObject, documentLoader: DocumentLoader): Promise<string> {
  return jsonld.canonize(credential, {
    algorithm: 'RDFC-1.0',
    format: 'application/n-quads',
    documentLoader,
    safe: true,
    base: null,
    rdfDirection: 'i18n-datatype',
  });
}

/**
 * The credential hash (docs/domain.md, Claim): sha256, as 64 lowercase hex characters, of the
 * RDFC-1.0 canonical N-Quads of the whole credential, proof included. Independent of JSON key
 * order and formatting; any change to a statement of the credential or its proof changes it.
 * Rejects (jsonld.js errors) for a credential that is not valid JSON-LD under the loader.
 */
export async function credentialHash(credential: JsonObject, documentLoader: DocumentLoader): Promise<string> {
  const nquads = await canonicalNQuads(credential, documentLoader);
  return createHash('sha256').update(nquads, 'utf8').digest('hex');
}

/**
 * The subject pseudonym salt of an impact category: HMAC-SHA256(networkSecret, category). Every
 * endorsing peer of the network derives it from the same secret, so the same subject gets the same pseudonym for
 * the same category whichever organisation submits: that is what lets the chaincode see double
 * counting across sub-networks, and it makes pseudonyms unlinkable across categories.
 */
export function pseudonymSaltFor(networkSecret: string, category: string): string {
  return createHmac('sha256', networkSecret).update(`impact-ledger/pseudonym-salt/v1\u0000${category}`).digest('hex');
}

/**
 * The subject pseudonym: HMAC-SHA256 keyed with the protocol's salt over the credential
 * subject's id in its canonical form (`canonicalSubjectId`: NFKC, DID or URL serialisation; the
 * caller passes that form), as 64 lowercase hex characters. The id itself never leaves the gateway, and
 * without the salt the pseudonym cannot be recomputed from a guessed id.
 */
export function subjectPseudonym(subjectId: string, salt: string): string {
  return createHmac('sha256', salt).update(subjectId, 'utf8').digest('hex');
}
