/**
 * The cast of the integration tests on the real network: each organisation's operator (Admin)
 * and users, connected through their own organisation's peer, with roles granted on the ledger
 * once per test run.
 */
import { pseudonymSaltFor, subjectPseudonym } from '@impact-ledger/credentials';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { claimDoc, ISSUER_DID, SECOND_ISSUER_DID, type ClaimDoc, type ClaimOverrides } from '../helpers/cast';
import { connectAs, currentNetwork, type Actor, type NetworkInfo } from '../helpers/network';
import { evaluate, submit, submitWith, type Committed } from '../helpers/ledger';

export interface Member { actor: Actor; identity: string }

export interface World {
  net: NetworkInfo;
  operators: [Member, Member, Member];
  /** users[org-1][n-1] = User n of that org (User1 submitter, 2-3 verifiers, 4 validator, 5 funder). */
  users: Member[][];
  user(org: number, n: number): Member;
}

interface WhoAmI { identity: string; mspId: string; operator: boolean; roles: string[] }

let world: Promise<World> | undefined;

async function member(net: NetworkInfo, org: number, user: string): Promise<Member> {
  const actor = connectAs(net, org, user);
  const me = await evaluate<WhoAmI>(actor, 'roles:WhoAmI');
  return { actor, identity: me.identity };
}

async function build(): Promise<World> {
  const net = currentNetwork();
  const operators = (await Promise.all([1, 2, 3].map((org) => member(net, org, 'Admin')))) as [Member, Member, Member];
  const users = await Promise.all([1, 2, 3].map((org) => Promise.all([1, 2, 3, 4, 5].map((n) => member(net, org, `User${n}`)))));
  const roleOf = ['submitter', 'verifier', 'verifier', 'validator', 'funder'];
  // Each operator grants its own members their roles, concurrently (distinct keys: no conflicts).
  await Promise.all(users.flatMap((members, o) => members.map((m, n) =>
    submit((operators[o] as Member).actor, 'roles:Grant', m.identity, roleOf[n] as string)
      .catch((err: unknown) => { throw new Error(`granting ${roleOf[n]} to ${m.actor.label}: ${String(err)}`); }))));
  return {
    net,
    operators,
    users,
    user: (org, n) => {
      const m = users[org - 1]?.[n - 1];
      if (!m) throw new Error(`no User${n} in org ${org}`);
      return m;
    },
  };
}

/** The shared cast, built on first use. */
export function getWorld(): Promise<World> {
  world ??= build();
  return world;
}

export function closeWorld(): void {
  void world?.then((w) => {
    for (const m of [...w.operators, ...w.users.flat()]) m.actor.close();
  });
}

/** A random 64-hex value (credential hashes, pseudonyms, report hashes in tests). */
export function randomHash(): string {
  return randomBytes(32).toString('hex');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A unique slug for protocol ids and categories. */
export function uniqueSlug(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface ProtocolDraft {
  id: string; version: number; title: string; category: string; unit: string; pillar: 'A' | 'B' | 'C';
  sdgTargets: string[]; minProofLevel: string; verifiers: string[]; quorum: number; minVerifierOrgs?: number; validators: string[];
  validatorFromOtherOrg?: boolean;
  trustedIssuers: string[]; subjectSchema: object; quantityField: string; periodFields: { start: string; end: string };
  additionality: object;
}

/** A valid commute modal shift protocol; override what a test needs. */
export function protocolDraft(overrides: Partial<ProtocolDraft> & Pick<ProtocolDraft, 'verifiers' | 'validators'>): ProtocolDraft {
  return {
    id: uniqueSlug('commute'),
    version: 1,
    title: 'Commute modal shift',
    category: uniqueSlug('commute-modal-shift'),
    unit: 'gCO2e',
    pillar: 'B',
    sdgTargets: ['11.2', '13.2'],
    minProofLevel: 'declared',
    quorum: 2,
    trustedIssuers: [ISSUER_DID, SECOND_ISSUER_DID],
    subjectSchema: { type: 'object', required: ['quantity'], properties: { quantity: { type: 'integer', minimum: 1 } } },
    quantityField: 'quantity',
    periodFields: { start: 'activityPeriodStart', end: 'activityPeriodEnd' },
    additionality: {
      method: {
        baseline: 'the same commute by private car',
        counterfactual: 'no allowance: no modal shift',
        emissionFactors: [{ name: 'car', value: '0.218', unit: 'kgCO2e/km', source: 'ADEME Base Empreinte 2024' }],
      },
    },
    ...overrides,
  };
}

/** The network's pseudonym secret (the gateways' network secret file, set in the private data collection). */
export function networkSecret(): string {
  return readFileSync(path.join(currentNetwork().home, 'gateway', 'network-secret'), 'utf8').trim();
}

/**
 * A claim of `protocol`: a commute credential signed by a trusted test issuer, distinct on every
 * call unless `overrides.label` is given; its pseudonym as this network's peers derive it.
 */
export async function claimFor(protocol: { id: string; version: number; category: string }, overrides: ClaimOverrides = {}): Promise<ClaimDoc> {
  const subject = overrides.subject ?? `subject-${randomHash().slice(0, 16)}`;
  const day = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const now = Date.now();
  const doc = await claimDoc(protocol, { label: randomHash(), validFrom: day(now - 86_400_000), validUntil: day(now + 365 * 86_400_000), ...overrides, subject });
  return { ...doc, subjectPseudonym: subjectPseudonym(`did:example:${subject}`, pseudonymSaltFor(networkSecret(), protocol.category)) };
}

/** Submits a claim: its public argument, the credential in the transient data. */
export function submitClaim<T = unknown>(actor: Actor, doc: ClaimDoc, endorsingOrganizations?: readonly string[]): Promise<Committed<T>> {
  return submitWith<T>(actor, 'claims:Submit', [doc.args], { transient: doc.transient, ...(endorsingOrganizations ? { endorsingOrganizations } : {}) });
}
