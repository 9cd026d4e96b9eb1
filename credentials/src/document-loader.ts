/**
 * The static JSON-LD document loader: bundled contexts, locally computed did:key documents and
 * the configured issuer key registry. Anything else is refused with a typed error; it never
 * touches the network.
 */
import { BUNDLED_CONTEXTS } from './contexts/index.js';
import { isDidKeyUrl, resolveDidKey } from './did-key.js';
import { CredentialError } from './errors.js';
import { issuerKeyDocuments, type IssuerKeyRecord } from './issuer-keys.js';
import type { JsonObject } from './json.js';

/** What a document loader returns, in the shape jsonld.js expects. */
export interface LoadedDocument {
  contextUrl: null;
  documentUrl: string;
  document: JsonObject;
  /** `static`: the document never changes, so jsonld.js may cache what it resolves from it. */
  tag?: 'static';
}

/** A JSON-LD document loader: a URL to its document, or a rejection with a {@link CredentialError}. */
export type DocumentLoader = (url: string) => Promise<LoadedDocument>;

/** Options of {@link createStaticDocumentLoader}. */
export interface StaticDocumentLoaderOptions {
  /** Issuers that are not did:key and their keys (see {@link IssuerKeyRecord}). */
  readonly issuerKeys?: readonly IssuerKeyRecord[];
}

function loaded(url: string, document: JsonObject, isStatic: boolean): LoadedDocument {
  // a copy: jsonld.js rewrites relative URLs in the documents it is given
  const result: LoadedDocument = { contextUrl: null, documentUrl: url, document: structuredClone(document) };
  if (isStatic) result.tag = 'static';
  return result;
}

function refuse(url: string): CredentialError {
  if (/^https?:/i.test(url)) {
    return new CredentialError(
      'REMOTE_CONTEXT_REFUSED',
      `${url} is not bundled with impact-ledger and remote documents are never fetched; use only the supported contexts and issuers`,
      { url },
    );
  }
  return new CredentialError('UNKNOWN_DOCUMENT', `${url} is not a document impact-ledger knows`, { url });
}

/**
 * A document loader that serves only what impact-ledger ships or is configured with: the bundled
 * contexts (W3C credentials v1/v2, data-integrity v1/v2, examples v2, impact-ledger v1), did:key
 * documents computed locally, and the issuer key registry. Any other http(s) URL is refused with
 * REMOTE_CONTEXT_REFUSED, any other URL with UNKNOWN_DOCUMENT. Throws INVALID_ISSUER_KEY at
 * creation when the registry is malformed.
 */
export function createStaticDocumentLoader(options: StaticDocumentLoaderOptions = {}): DocumentLoader {
  const registry = issuerKeyDocuments(options.issuerKeys ?? []);
  return async (url: string): Promise<LoadedDocument> => {
    const context = BUNDLED_CONTEXTS.get(url);
    if (context !== undefined) return loaded(url, context, true);
    const registered = registry.get(url);
    if (registered !== undefined) return loaded(url, registered, false);
    if (isDidKeyUrl(url)) return loaded(url, await resolveDidKey(url), false);
    throw refuse(url);
  };
}
