/**
 * The user's side of a Fabric CA's REST API (fabric-ca 1.5): enrol with the one-time secret
 * (HTTP Basic auth), re-enrol with a token signed by the current key. Only CSRs are sent; TLS
 * trusts the CA's own root certificate only.
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import { request } from 'node:https';
import { p1363ToDer } from '../signing/der.js';

export interface CaAnswer {
  /** PEM of the issued certificate. */
  readonly certPem: string;
  /** PEM of the CA's chain (its root for a root CA). */
  readonly caChainPem: string;
}

function post(url: URL, caPem: string, authorization: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      ca: caPem,
      headers: { authorization, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      timeout: 30_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} within 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses the CA's JSON answer: the certificate, or an error naming the CA's own messages. */
export function parseCaAnswer(status: number, text: string): CaAnswer {
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { throw new Error(`the CA answered HTTP ${status} with no JSON: ${text.slice(0, 200)}`); }
  if (!isRecord(parsed)) throw new Error(`the CA answered HTTP ${status} with an unexpected body`);
  if (parsed.success !== true || !isRecord(parsed.result)) {
    const errors = Array.isArray(parsed.errors) ? parsed.errors.map((e) => (isRecord(e) ? `${String(e.code)}: ${String(e.message)}` : String(e))).join('; ') : '';
    throw new Error(`the CA refused (HTTP ${status})${errors ? `: ${errors}` : ''}`);
  }
  const cert = parsed.result.Cert;
  const info = parsed.result.ServerInfo;
  if (typeof cert !== 'string') throw new Error('the CA answer has no certificate');
  const chain = isRecord(info) && typeof info.CAChain === 'string' ? info.CAChain : '';
  return { certPem: Buffer.from(cert, 'base64').toString('utf8'), caChainPem: Buffer.from(chain, 'base64').toString('utf8') };
}

/** POST /api/v1/enroll with name:secret: the CA signs the CSR. */
export async function enrollWithSecret(caUrl: string, caPem: string, name: string, secret: string, csrPem: string): Promise<CaAnswer> {
  const url = new URL('/api/v1/enroll', caUrl);
  const basic = `Basic ${Buffer.from(`${name}:${secret}`).toString('base64')}`;
  const { status, text } = await post(url, caPem, basic, JSON.stringify({ certificate_request: csrPem }));
  return parseCaAnswer(status, text);
}

/** An ECDSA P-256/SHA-256 signature in DER with a low S (what Fabric's BCCSP verifies). */
export function lowSSignature(key: KeyObject, data: Uint8Array): Buffer {
  return Buffer.from(p1363ToDer(sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })));
}

/**
 * fabric-ca's token: base64(cert PEM) "." base64(signature over
 * METHOD "." base64(uri) "." base64(body) "." base64(cert PEM)) by the certificate's key.
 */
export function caToken(certPem: string, key: KeyObject, method: string, uri: string, body: string): string {
  const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
  const payload = `${method}.${b64(uri)}.${b64(body)}.${b64(certPem)}`;
  return `${b64(certPem)}.${lowSSignature(key, Buffer.from(payload)).toString('base64')}`;
}

/** POST /api/v1/reenroll authorised by a token of the current certificate and key. */
export async function reenrollWithKey(caUrl: string, caPem: string, certPem: string, key: KeyObject, csrPem: string): Promise<CaAnswer> {
  const url = new URL('/api/v1/reenroll', caUrl);
  const body = JSON.stringify({ certificate_request: csrPem });
  const { status, text } = await post(url, caPem, caToken(certPem, key, 'POST', url.pathname, body), body);
  return parseCaAnswer(status, text);
}

/** SHA-256 hex (key file names). */
export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
