/**
 * The user's side of enrolment: a P-256 key made here (node:crypto's WebCrypto) and a PKCS#10
 * certificate request for it (@peculiar/x509). Only the request leaves this process.
 */
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';

x509.cryptoProvider.set(webcrypto);

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface KeyAndRequest {
  /** PKCS#8 PEM of the new private key (stays with the user). */
  readonly keyPem: string;
  /** PEM of the PKCS#10 request (what is sent to the CA). */
  readonly csrPem: string;
}

/** Escapes an RFC 4514 attribute value (enrolment names are plain, but be safe). */
function rdnValue(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
}

/** A new P-256 key and a CSR whose subject CN is the enrolment name (fabric-ca requires it). */
export async function newKeyAndRequest(name: string): Promise<KeyAndRequest> {
  if (name.trim() === '') throw new Error('the enrolment name is empty');
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${rdnValue(name)}`,
    keys,
    signingAlgorithm: SIGNING,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
  return { keyPem, csrPem: csr.toString('pem') };
}

/** Parses a CSR (for checks and tests): its subject and whether its signature verifies. */
export async function inspectRequest(csrPem: string): Promise<{ subject: string; publicKeyAlgorithm: string; namedCurve: string | undefined; valid: boolean }> {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  const algorithm = csr.publicKey.algorithm as webcrypto.EcKeyAlgorithm;
  return { subject: csr.subject, publicKeyAlgorithm: algorithm.name, namedCurve: algorithm.namedCurve, valid: await csr.verify() };
}

/** The public key of a PEM certificate, as a KeyObject's SPKI DER (to match a key to its certificate). */
export function spkiOfCertificate(certPem: string): Buffer {
  return Buffer.from(new x509.X509Certificate(certPem).publicKey.rawData);
}

export function spkiOfKey(key: KeyObject): Buffer {
  return Buffer.from(createPublicKey(key).export({ format: 'der', type: 'spki' }));
}
