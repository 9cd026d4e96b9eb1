/**
 * Signing credentials with eddsa-rdfc-2022 (tests now, demo data seeding later). Never used to
 * check credentials; the gateway itself holds no issuer key in production.
 */
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { issue } from '@digitalbazaar/vc';
import { CREDENTIALS_V1_URL } from './contexts/index.js';
import { didKeyOf } from './did-key.js';
import { createStaticDocumentLoader, type DocumentLoader } from './document-loader.js';
import { CredentialError } from './errors.js';
import { toJsonObject, type JsonObject } from './json.js';

/** An Ed25519 key pair as Multikey values, with the verification method it signs as. */
export interface IssuerKeyPair {
  /** Verification method id that proofs name, `<controller>#<fragment>`. */
  readonly id: string;
  /** The issuer: a did:key, or an id of the issuer key registry. */
  readonly controller: string;
  readonly publicKeyMultibase: string;
  /** The private half as a Multikey `secretKeyMultibase`; keep it out of logs and out of the repository. */
  readonly secretKeyMultibase: string;
}

/** Options of {@link signCredential}. */
export interface SignOptions {
  /** The proof's `created`; also the VCDM 1.1 `issuanceDate` when the credential has none. */
  readonly date: Date | string;
  /** Loader for the credential's contexts; defaults to the static loader. */
  readonly documentLoader?: DocumentLoader;
}

/**
 * A new Ed25519 issuer key as a did:key: the controller is `did:key:<publicKeyMultibase>` and the
 * verification method `<did>#<publicKeyMultibase>`. A 32-byte `seed` makes it reproducible.
 */
export async function generateIssuerKey(options: { seed?: Uint8Array } = {}): Promise<IssuerKeyPair> {
  const generated = await Ed25519Multikey.generate(options.seed === undefined ? {} : { seed: options.seed });
  const { publicKeyMultibase, secretKeyMultibase } = generated;
  if (secretKeyMultibase === undefined) throw new CredentialError('INVALID_ISSUER_KEY', 'key generation returned no private key');
  const controller = didKeyOf(publicKeyMultibase);
  return { id: `${controller}#${publicKeyMultibase}`, controller, publicKeyMultibase, secretKeyMultibase };
}

function withIssuanceDate(credential: JsonObject, date: Date | string): JsonObject {
  const copy = structuredClone(credential);
  const context = copy['@context'];
  const isV1 = Array.isArray(context) && context[0] === CREDENTIALS_V1_URL;
  // set here so that the library does not stamp its own clock into the credential
  if (isV1 && copy.issuanceDate === undefined) copy.issuanceDate = new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return copy;
}

/**
 * Signs `credential` (without `proof`) with an eddsa-rdfc-2022 Data Integrity proof for
 * `assertionMethod`. Deterministic: Ed25519 signatures are, so the same credential, key and
 * `date` give the same `proofValue`. Rejects when the credential is not a valid credential.
 */
export async function signCredential(credential: JsonObject, keyPair: IssuerKeyPair, options: SignOptions): Promise<JsonObject> {
  const key = await Ed25519Multikey.from({ ...keyPair, type: 'Multikey', '@context': 'https://w3id.org/security/multikey/v1' });
  const suite = new DataIntegrityProof({ signer: key.signer(), date: options.date, cryptosuite });
  const documentLoader = options.documentLoader ?? createStaticDocumentLoader();
  const signed: unknown = await issue({ credential: withIssuanceDate(credential, options.date), suite, documentLoader });
  const json = toJsonObject(signed);
  if (json === undefined) throw new CredentialError('INVALID_CREDENTIAL', 'signing did not return a JSON credential');
  return json.object;
}
