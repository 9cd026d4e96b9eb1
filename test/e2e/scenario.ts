/**
 * Building blocks of the end-to-end scenarios: a did:key issuer generated at test time, a commute
 * protocol that trusts it (registered and activated over HTTP), and credentials signed now.
 */
import { CREDENTIALS_V2_URL, generateIssuerKey, IMPACT_LEDGER_CONTEXT_V1_URL, signCredential, type IssuerKeyPair, type JsonObject } from '@impact-ledger/credentials';
import { randomBytes, randomUUID } from 'node:crypto';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
import { waitForBlockEverywhere } from '../helpers/network';

export { type IssuerKeyPair, type JsonObject };

const DAY_MS = 86_400_000;

/** A fresh did:key issuer. */
export function newIssuer(): Promise<IssuerKeyPair> {
  return generateIssuerKey();
}

/** A mutation's response body. */
export interface Committed<T = Record<string, unknown>> { result: T; txId: string; blockNumber: number }

/** Waits until every peer has the block of a mutation (cross-organisation hand-offs). */
export async function settled<T extends { blockNumber: number }>(committed: T): Promise<T> {
  await waitForBlockEverywhere((await getGatewayWorld()).net, BigInt(committed.blockNumber));
  return committed;
}

/** The subject schema of the commute protocol. */
export const SUBJECT_SCHEMA: JsonObject = {
  type: 'object',
  required: ['id', 'activityPeriodStart', 'activityPeriodEnd', 'quantity', 'unit', 'mode'],
  properties: {
    id: { type: 'string' }, activityPeriodStart: { type: 'string', format: 'date' }, activityPeriodEnd: { type: 'string', format: 'date' },
    quantity: { type: 'integer' }, unit: { const: 'gCO2e' }, mode: { enum: ['bicycle', 'walk', 'public-transport', 'carpool'] },
  },
};

/** A registered, active commute protocol (verifiers: User2 of each org, quorum 2; validator: User4 of org 2). */
export interface TestProtocol { id: string; version: number; category: string }

/** Registers and activates a commute protocol as org 1's Admin, trusting `issuers`; `overrides` replace fields of the definition. */
export async function activeProtocol(world: GatewayWorld, issuers: string[], overrides: Record<string, unknown> = {}): Promise<TestProtocol> {
  const suffix = randomBytes(4).toString('hex');
  const protocol = {
    id: `commute-e2e-${suffix}`, version: 1, title: 'Commute modal shift (e2e)', category: `commute-modal-shift-${suffix}`, unit: 'gCO2e',
    pillar: 'B', sdgTargets: ['11.2', '13.2'], minProofLevel: 'declared',
    verifiers: [1, 2, 3].map((org) => world.identity(org, 'User2')), quorum: 2, validators: [world.identity(2, 'User4')],
    trustedIssuers: issuers, subjectSchema: SUBJECT_SCHEMA, quantityField: 'quantity',
    periodFields: { start: 'activityPeriodStart', end: 'activityPeriodEnd' },
    additionality: { method: { baseline: 'the same commute by private car', counterfactual: 'no allowance: no modal shift',
      emissionFactors: [{ name: 'car', value: '0.218', unit: 'kgCO2e/km', source: 'ADEME Base Empreinte 2024' }] } },
    ...overrides,
  };
  const admin = world.client(1, 'Admin');
  await admin.json('POST', '/v1/protocols', protocol, 201);
  await settled(await admin.json<Committed>('POST', `/v1/protocols/${protocol.id}/versions/1/activate`, undefined, 200));
  return { id: protocol.id, version: 1, category: protocol.category };
}

/** An unsigned commute credential valid from yesterday for a year; override subject or fields. */
export function commuteCredential(issuer: string, options: { subject?: JsonObject; fields?: JsonObject } = {}): JsonObject {
  const now = Date.now();
  return {
    '@context': [CREDENTIALS_V2_URL, IMPACT_LEDGER_CONTEXT_V1_URL],
    id: `urn:uuid:${randomUUID()}`,
    type: ['VerifiableCredential', 'ImpactClaimCredential', 'CommuteModalShiftCredential'],
    issuer,
    validFrom: new Date(now - DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    validUntil: new Date(now + 365 * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    credentialSubject: {
      id: `did:example:commuter-${randomBytes(6).toString('hex')}`,
      activityPeriodStart: '2025-05-01', activityPeriodEnd: '2025-05-31',
      quantity: 18500, unit: 'gCO2e', mode: 'bicycle',
      ...options.subject,
    },
    ...options.fields,
  };
}

/** A commute credential signed now by `issuer`. */
export function signedCredential(issuer: IssuerKeyPair, options: { subject?: JsonObject; fields?: JsonObject } = {}): Promise<JsonObject> {
  return signCredential(commuteCredential(issuer.controller, options), issuer, { date: new Date() });
}

/** The body of POST /v1/claims for a credential. */
export function claimRequest(protocol: TestProtocol, credential: JsonObject): Record<string, unknown> {
  return { protocolId: protocol.id, protocolVersion: protocol.version, credential, evidenceHashes: [randomBytes(32).toString('hex')], proofLevel: 'computed' };
}

/** A random 64-hex report hash. */
export function reportHash(): string {
  return randomBytes(32).toString('hex');
}
