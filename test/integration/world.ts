/**
 * The cast of the integration tests on the real network: each organisation's operator (Admin)
 * and users, connected through their own organisation's peer, with roles granted on the ledger
 * once per test run.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connectAs, currentNetwork, type Actor, type NetworkInfo } from '../helpers/network';
import { evaluate, submit } from '../helpers/ledger';

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
    trustedIssuers: ['did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'],
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

export interface ClaimDraft {
  protocolId: string; protocolVersion: number; credentialHash: string; subjectPseudonym: string;
  periodStart: string; periodEnd: string; quantity: number; proofLevel: string; evidenceHashes: string[];
}

export function claimDraft(protocol: { id: string; version: number }, overrides: Partial<ClaimDraft> = {}): ClaimDraft {
  return {
    protocolId: protocol.id,
    protocolVersion: protocol.version,
    credentialHash: randomHash(),
    subjectPseudonym: randomHash(),
    periodStart: '2026-03-01',
    periodEnd: '2026-03-31',
    quantity: 42_000,
    proofLevel: 'computed',
    evidenceHashes: [randomHash()],
    ...overrides,
  };
}
