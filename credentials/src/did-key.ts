/**
 * did:key for Ed25519 Multikeys, computed locally from the identifier itself (a did:key carries
 * its public key), so resolving one never touches the network.
 */
import { driver } from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { CredentialError } from './errors.js';
import { isJsonObject, type JsonObject } from './json.js';

/** Multibase prefix of an Ed25519 public key in a Multikey (`z` + multicodec 0xed01). */
export const ED25519_MULTIKEY_PREFIX = 'z6Mk';

const didKeyDriver = driver();
didKeyDriver.use({ multibaseMultikeyHeader: ED25519_MULTIKEY_PREFIX, fromMultibase: Ed25519Multikey.from });

/** True when `url` is a did:key DID or DID URL. */
export function isDidKeyUrl(url: string): boolean {
  return url.startsWith('did:key:');
}

/** The did:key DID of an Ed25519 public key given as a Multikey `publicKeyMultibase`. */
export function didKeyOf(publicKeyMultibase: string): string {
  return `did:key:${publicKeyMultibase}`;
}

/**
 * The DID document of a did:key (or, for a DID URL with a fragment, its verification method).
 * Only Ed25519 keys are accepted; anything else is UNKNOWN_DOCUMENT.
 */
export async function resolveDidKey(url: string): Promise<JsonObject> {
  let document: unknown;
  try {
    document = await didKeyDriver.get({ url });
  } catch (error) {
    throw new CredentialError('UNKNOWN_DOCUMENT', `${url} is not an Ed25519 did:key impact-ledger can resolve`, { url }, { cause: error });
  }
  if (!isJsonObject(document)) throw new CredentialError('UNKNOWN_DOCUMENT', `${url} did not resolve to a document`, { url });
  return document;
}
