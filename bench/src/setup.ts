/**
 * What every benchmark needs on the ledger first: the designated cast (each org's operator,
 * submitter, verifier, validator) with their roles, and an active commute protocol (quorum 2)
 * trusting the benchmark's credential issuer. Shared by `npm run bench` and the Caliper set-up.
 */
import { CREDENTIALS_V2_URL, IMPACT_LEDGER_CONTEXT_V1_URL, signCredential, type IssuerKeyPair, type JsonObject } from '@impact-ledger/credentials';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Actor, Connections, Heights } from './client';

const hex = () => randomBytes(32).toString('hex');

/** The designated cast: per org, its operator, submitter (User1), verifier (User2), validator (User4). */
export interface Cast {
  admins: Actor[]; submitters: Actor[]; verifiers: Actor[]; validators: Actor[];
  identity: (actor: Actor) => string;
}

export async function buildCast(connections: Connections, orgCount: number): Promise<Cast> {
  const orgs = Array.from({ length: orgCount }, (_, i) => i + 1);
  const cast = {
    admins: orgs.map((o) => connections.actor(o, 'Admin')),
    submitters: orgs.map((o) => connections.actor(o, 'User1')),
    verifiers: orgs.map((o) => connections.actor(o, 'User2')),
    validators: orgs.map((o) => connections.actor(o, 'User4')),
  };
  const identities = new Map<Actor, string>();
  for (const actor of [...cast.admins, ...cast.submitters, ...cast.verifiers, ...cast.validators]) {
    identities.set(actor, (await actor.evaluate<{ identity: string }>('roles:WhoAmI')).identity);
  }
  return { ...cast, identity: (actor) => identities.get(actor) ?? '' };
}

/** Submits and waits until every peer has the block; throws on failure (set-up only). */
export async function settle(heights: Heights, actor: Actor, fqfn: string, ...args: string[]): Promise<unknown> {
  const outcome = await actor.submit(fqfn, ...args);
  if (!outcome.ok) throw new Error(outcome.error);
  await heights.everywhere(outcome.blockNumber ?? 0n);
  return outcome.result;
}

const SUBJECT_SCHEMA = {
  type: 'object', required: ['id', 'activityPeriodStart', 'activityPeriodEnd', 'quantity', 'unit', 'mode'],
  properties: {
    id: { type: 'string' }, activityPeriodStart: { type: 'string', format: 'date' }, activityPeriodEnd: { type: 'string', format: 'date' },
    quantity: { type: 'integer' }, unit: { const: 'gCO2e' }, mode: { enum: ['bicycle', 'walk', 'public-transport', 'carpool'] },
  },
};

export interface BenchProtocol { id: string; version: number }

/** Grants roles and registers + activates a commute protocol (quorum 2 of the 3 orgs' User2). */
export async function setUp(cast: Cast, heights: Heights, issuer: string): Promise<BenchProtocol> {
  const grants: Promise<unknown>[] = [];
  cast.admins.forEach((admin, i) => {
    for (const [actor, role] of [[cast.submitters[i], 'submitter'], [cast.verifiers[i], 'verifier'], [cast.validators[i], 'validator']] as const) {
      grants.push(settle(heights, admin, 'roles:Grant', cast.identity(actor as Actor), role).catch((e: unknown) => {
        if (!String(e).includes('ALREADY') && !String(e).includes('already')) throw e;
      }));
    }
  });
  await Promise.all(grants);
  const suffix = randomBytes(4).toString('hex');
  const protocol = {
    id: `bench-commute-${suffix}`, version: 1, title: 'Commute modal shift (benchmark)', category: `bench-commute-${suffix}`, unit: 'gCO2e',
    pillar: 'B', sdgTargets: ['11.2', '13.2'], minProofLevel: 'declared',
    verifiers: cast.verifiers.map(cast.identity), quorum: 2, validators: cast.validators.map(cast.identity),
    trustedIssuers: [issuer], subjectSchema: SUBJECT_SCHEMA, quantityField: 'quantity',
    periodFields: { start: 'activityPeriodStart', end: 'activityPeriodEnd' },
    additionality: { method: { baseline: 'the same commute by private car', counterfactual: 'no allowance: no modal shift',
      emissionFactors: [{ name: 'car', value: '0.218', unit: 'kgCO2e/km', source: 'ADEME Base Empreinte 2024' }] } },
  };
  const admin = cast.admins[0] as Actor;
  await settle(heights, admin, 'protocols:Register', JSON.stringify(protocol));
  await settle(heights, admin, 'protocols:Activate', protocol.id, '1');
  return { id: protocol.id, version: 1 };
}

/** A claim as claims:Submit takes it: the public argument, and the credential as transient data. */
export interface BenchClaim { args: string; transient: Record<string, string> }

/**
 * A distinct claim (its own credential and subject: never double counts, never conflicts), signed
 * by `issuer` now: the endorsing peers verify it and derive hash and pseudonym themselves. The
 * signing (~10 ms of client CPU) is part of what a direct-path unit costs.
 */
export async function claimDraft(protocol: BenchProtocol, issuer: IssuerKeyPair): Promise<BenchClaim> {
  const credential = await benchCredential(issuer);
  return {
    args: JSON.stringify({ protocolId: protocol.id, protocolVersion: protocol.version, proofLevel: 'computed', evidenceHashes: [hex()] }),
    transient: { credential: JSON.stringify(credential) },
  };
}

/**
 * A distinct commute credential of 42,000 gCO2e (its own id and subject) signed by `issuer` now,
 * as the benchmark protocol expects it: what claims:Submit takes as transient data, or what
 * `POST /v1/claims` takes as `credential`.
 */
export async function benchCredential(issuer: IssuerKeyPair): Promise<JsonObject> {
  const now = Date.now();
  const day = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return signCredential({
    '@context': [CREDENTIALS_V2_URL, IMPACT_LEDGER_CONTEXT_V1_URL], id: `urn:uuid:${randomUUID()}`,
    type: ['VerifiableCredential', 'ImpactClaimCredential', 'CommuteModalShiftCredential'], issuer: issuer.controller,
    validFrom: day(now - 86_400_000), validUntil: day(now + 365 * 86_400_000),
    credentialSubject: { id: `did:example:bench-${hex()}`, activityPeriodStart: '2026-03-01', activityPeriodEnd: '2026-03-31', quantity: 42_000, unit: 'gCO2e', mode: 'bicycle' },
  }, issuer, { date: new Date(now - 3_600_000) });
}
