/**
 * The certificate issuer key of an organisation: an Ed25519 key (a did:key) that its gateway
 * keeps in its data folder, `certificate-issuer-key.json` (mode 0600), created at the gateway's
 * first start. Its public half is also written beside it as `certificate-issuer.json` and served
 * at `GET /v1/certificate-issuer`, for the organisation to publish: a verifier pins that did:key
 * (`impact-ledger verify-certificate --issuer`).
 */
import { generateIssuerKey, type IssuerKeyPair } from '@impact-ledger/credentials';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** File name of the private key in the gateway's data folder. */
export const CERTIFICATE_KEY_FILE = 'certificate-issuer-key.json';
/** File name of the public description beside it. */
export const CERTIFICATE_ISSUER_FILE = 'certificate-issuer.json';

const KEY_FORMAT = 'impact-ledger.certificate-issuer-key/1';
const Multibase = Type.String({ pattern: '^z6Mk[1-9A-HJ-NP-Za-km-z]+$' });

const KeyFileSchema = Type.Object({
  format: Type.Literal(KEY_FORMAT),
  mspId: Type.String({ minLength: 1 }),
  id: Type.String({ minLength: 1 }),
  controller: Type.String({ pattern: '^did:key:z6Mk' }),
  publicKeyMultibase: Multibase,
  secretKeyMultibase: Type.String({ minLength: 1 }),
}, { additionalProperties: false });

/** The public description of an organisation's certificate issuer key. */
export const CertificateIssuerSchema = Type.Object({
  mspId: Type.String(),
  did: Type.String({ description: 'the did:key certificates name as their issuer' }),
  verificationMethod: Type.String(),
  publicKeyMultibase: Type.String({ description: 'Ed25519 public key, Multikey (z6Mk...)' }),
}, { additionalProperties: false });

/** The public description of an organisation's certificate issuer key. */
export type CertificateIssuerInfo = Static<typeof CertificateIssuerSchema>;

/** An organisation's certificate signing key and what is published of it. */
export interface CertificateKey {
  readonly mspId: string;
  readonly keyPair: IssuerKeyPair;
  readonly info: CertificateIssuerInfo;
}

function keyOf(mspId: string, keyPair: IssuerKeyPair): CertificateKey {
  return { mspId, keyPair, info: { mspId, did: keyPair.controller, verificationMethod: keyPair.id, publicKeyMultibase: keyPair.publicKeyMultibase } };
}

function readKeyFile(file: string, mspId: string): CertificateKey {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Value.Check(KeyFileSchema, parsed)) throw new Error(`${file} is not a certificate issuer key (${KEY_FORMAT}); move it away to have a new key made`);
  if (parsed.mspId !== mspId) throw new Error(`${file} is the certificate key of ${parsed.mspId}, not of ${mspId}`);
  const { format: _format, mspId: _msp, ...keyPair } = parsed;
  return keyOf(mspId, keyPair);
}

/**
 * The certificate issuer key in `dataDir`, made (and written, mode 0600, never overwritten) when
 * there is none yet. The public description is rewritten beside it.
 */
export async function loadOrCreateCertificateKey(dataDir: string, mspId: string): Promise<CertificateKey> {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, CERTIFICATE_KEY_FILE);
  let key: CertificateKey;
  try {
    key = readKeyFile(file, mspId);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    const keyPair = await generateIssuerKey();
    // 'wx': a key another process wrote meanwhile is kept, and read again below
    try {
      writeFileSync(file, `${JSON.stringify({ format: KEY_FORMAT, mspId, ...keyPair }, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    } catch (writeError) {
      if (!(writeError instanceof Error && 'code' in writeError && writeError.code === 'EEXIST')) throw writeError;
    }
    key = readKeyFile(file, mspId);
  }
  writeFileSync(path.join(dataDir, CERTIFICATE_ISSUER_FILE), `${JSON.stringify(key.info, null, 2)}\n`);
  return key;
}
