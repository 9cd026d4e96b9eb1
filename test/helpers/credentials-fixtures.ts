/**
 * Fixtures for the credential-check tests: the W3C vc-di-eddsa conformance vector, an issuer,
 * impact claim credentials, the policy they are checked against, and spies that prove nothing is
 * fetched from the network.
 */
import { CREDENTIALS_V2_URL, IMPACT_LEDGER_CONTEXT_V1_URL, createStaticDocumentLoader, generateIssuerKey, signCredential, type CheckOptions, type CredentialPolicy, type DocumentLoader, type IssuerKeyPair, type JsonObject } from '@impact-ledger/credentials';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';

/** The directory holding the root package.json (the build runs from build/test/helpers). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!isRoot(dir)) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no root package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

function isRoot(dir: string): boolean {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return false;
  const manifest: unknown = JSON.parse(readFileSync(file, 'utf8'));
  return typeof manifest === 'object' && manifest !== null && 'workspaces' in manifest;
}

/** The W3C vc-di-eddsa test vector, kept in the repository (see its README for source and licence). */
export const CONFORMANCE_DIR = path.resolve(repoRoot(), 'test/fixtures/w3c/vc-di-eddsa');

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as a JSON object, or a test failure naming `what`. */
export function asObject(value: unknown, what: string): JsonObject {
  if (!isJsonObject(value)) throw new Error(`${what} is not a JSON object`);
  return value;
}

function readJsonObject(file: string): JsonObject {
  return asObject(JSON.parse(readFileSync(path.join(CONFORMANCE_DIR, file), 'utf8')), file);
}

function text(object: JsonObject, key: string): string {
  const value = object[key];
  if (typeof value !== 'string') throw new Error(`${key} is not a string`);
  return value;
}

/** The W3C test vector: the signed credential, its key pair and the registry entry for its issuer. */
export function conformanceVector(): {
  credential: JsonObject;
  keyPair: IssuerKeyPair;
  issuer: string;
  documentLoader: DocumentLoader;
} {
  const credential = readJsonObject('eddsa-rdfc-2022-signed.json');
  const keys = readJsonObject('keyPair.json');
  const proof = asObject(credential.proof, 'proof');
  const issuer = text(credential, 'issuer');
  const keyPair: IssuerKeyPair = {
    id: text(proof, 'verificationMethod'),
    controller: issuer,
    publicKeyMultibase: text(keys, 'publicKeyMultibase'),
    secretKeyMultibase: text(keys, 'privateKeyMultibase'),
  };
  const documentLoader = createStaticDocumentLoader({
    issuerKeys: [{ controller: issuer, keys: [{ id: keyPair.id, publicKeyMultibase: keyPair.publicKeyMultibase }] }],
  });
  return { credential, keyPair, issuer, documentLoader };
}

/** A deterministic did:key issuer (seeded), so test runs sign the same bytes. */
export function seededIssuer(seedByte: number): Promise<IssuerKeyPair> {
  return generateIssuerKey({ seed: new Uint8Array(32).fill(seedByte) });
}

/** The injected clock of the tests. */
export const NOW = new Date('2025-07-01T12:00:00Z');

/** The subject id of the test commuter (the pseudonym must never reveal it). */
export const COMMUTER_ID = 'did:example:commuter-42';

/** An unsigned commute modal shift credential; `subject` and `fields` override the defaults. */
export function commuteCredential(issuer: string, options: { subject?: JsonObject; fields?: JsonObject } = {}): JsonObject {
  return {
    '@context': [CREDENTIALS_V2_URL, IMPACT_LEDGER_CONTEXT_V1_URL],
    id: 'urn:uuid:3f1b6a52-8d55-4c39-9a57-0e0c8f1d7a11',
    type: ['VerifiableCredential', 'ImpactClaimCredential', 'CommuteModalShiftCredential'],
    issuer,
    validFrom: '2025-06-01T00:00:00Z',
    validUntil: '2026-06-01T00:00:00Z',
    credentialSubject: {
      id: COMMUTER_ID,
      activityPeriodStart: '2025-05-01',
      activityPeriodEnd: '2025-05-31',
      quantity: 18500,
      unit: 'gCO2e',
      mode: 'bicycle',
      baselineMode: 'car',
      distanceKm: 212.5,
      ...options.subject,
    },
    ...options.fields,
  };
}

/** Signs a commute credential as `issuer`, dated the day before {@link NOW}. */
export function signedCommute(issuer: IssuerKeyPair, options: { subject?: JsonObject; fields?: JsonObject } = {}): Promise<JsonObject> {
  return signCredential(commuteCredential(issuer.controller, options), issuer, { date: '2025-06-30T08:00:00Z' });
}

/** The subject schema of the demo commute protocol. */
export const COMMUTE_SUBJECT_SCHEMA: JsonObject = {
  type: 'object',
  required: ['id', 'activityPeriodStart', 'activityPeriodEnd', 'quantity', 'unit', 'mode'],
  properties: {
    id: { type: 'string' },
    activityPeriodStart: { type: 'string', format: 'date' },
    activityPeriodEnd: { type: 'string', format: 'date' },
    quantity: { type: 'integer' },
    unit: { const: 'gCO2e' },
    mode: { enum: ['bicycle', 'walk', 'public-transport', 'carpool'] },
    baselineMode: { type: 'string' },
    distanceKm: { type: 'number', minimum: 0 },
  },
};

/** The commute protocol's policy, trusting `issuers`. */
export function commutePolicy(issuers: string[], overrides: Partial<CredentialPolicy> = {}): CredentialPolicy {
  return {
    trustedIssuers: issuers,
    subjectSchema: COMMUTE_SUBJECT_SCHEMA,
    quantityField: 'quantity',
    periodFields: { start: 'activityPeriodStart', end: 'activityPeriodEnd' },
    pseudonymSalt: 'commute-modal-shift/1 test salt',
    ...overrides,
  };
}

/** Check options with the test clock and the static loader. */
export function checkOptions(overrides: Partial<CheckOptions> = {}): CheckOptions {
  return { now: NOW, documentLoader: createStaticDocumentLoader(), maxBytes: 64 * 1024, ...overrides };
}

/** A deep copy, for tampering. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

/** A loader that records every URL asked of it and whether `inner` served or refused it. */
export function spyLoader(inner: DocumentLoader): { loader: DocumentLoader; served: string[]; refused: string[] } {
  const served: string[] = [];
  const refused: string[] = [];
  const loader: DocumentLoader = async (url) => {
    try {
      const document = await inner(url);
      served.push(url);
      return document;
    } catch (error) {
      refused.push(url);
      throw error;
    }
  };
  return { loader, served, refused };
}

/**
 * Runs `body` with `fetch`, `http.request`/`get` and `https.request`/`get` replaced by traps that
 * record and fail; returns what was attempted. Any non-empty result means something tried the
 * network.
 */
export async function withNetworkTrap(body: () => Promise<void>): Promise<string[]> {
  const attempts: string[] = [];
  const trap = (name: string) => (...args: unknown[]): never => {
    attempts.push(`${name} ${String(args[0])}`);
    throw new Error(`network access attempted in a test: ${name}`);
  };
  const saved = { fetch: globalThis.fetch, httpRequest: http.request, httpGet: http.get, httpsRequest: https.request, httpsGet: https.get };
  globalThis.fetch = trap('fetch');
  http.request = trap('http.request');
  http.get = trap('http.get');
  https.request = trap('https.request');
  https.get = trap('https.get');
  try {
    await body();
  } finally {
    globalThis.fetch = saved.fetch;
    http.request = saved.httpRequest;
    http.get = saved.httpGet;
    https.request = saved.httpsRequest;
    https.get = saved.httpsGet;
  }
  return attempts;
}

/** What the attack tables build from: the trusted issuer, an attacker's key, a good credential, and the policy trusting the issuer. */
export async function attackContext(): Promise<{ ctx: { issuer: IssuerKeyPair; attacker: IssuerKeyPair; good: JsonObject }; policy: CredentialPolicy }> {
  const issuer = await seededIssuer(1);
  return { ctx: { issuer, attacker: await seededIssuer(2), good: await signedCommute(issuer) }, policy: commutePolicy([issuer.controller]) };
}
