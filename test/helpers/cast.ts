/**
 * The cast of the contract-level tests on the in-memory network: three organisations, their
 * operators, members with roles granted on the ledger, and active protocols.
 */
import { createHash } from 'node:crypto';
import { FakeNetwork, type Member } from './fake-fabric';

/** Everyone the contract tests need. */
export interface Cast {
  net: FakeNetwork;
  op1: Member;
  op2: Member;
  op3: Member;
  submitter1: Member;
  submitter2: Member;
  verA: Member;
  verB: Member;
  verC: Member;
  /** Holds the verifier role but is designated by no protocol. */
  verX: Member;
  /** Holds submitter and verifier roles and is a designated verifier of `p3`. */
  dual: Member;
  validator1: Member;
  validator2: Member;
  funder: Member;
  /** Org1, verifiers A (Org2), B, C (Org3) with k = 2 from 2 organisations, validator1 (Org3), pillar B. */
  p1: { id: string; version: number };
  /** Org2, same category as p1, verifier A with k = 1, validator2 (Org1), pillar A. */
  p2: { id: string; version: number };
  /** Org1, other category, verifiers dual and A with k = 1 (one organisation suffices), validator1 (Org3), pillar B. */
  p3: { id: string; version: number };
}

/** A deterministic 64-hex value for `label`. */
export function hashOf(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

/** A protocol document; `overrides` replace fields. */
export function protocolDoc(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    version: 1,
    title: 'Commute modal shift',
    category: 'commute-modal-shift',
    unit: 'gCO2e',
    pillar: 'B',
    sdgTargets: ['11.2', '13.2'],
    minProofLevel: 'declared',
    quorum: 1,
    minVerifierOrgs: 1,
    trustedIssuers: ['did:key:z6Mkexample'],
    subjectSchema: { type: 'object', required: ['quantity'] },
    quantityField: 'quantity',
    periodFields: { start: 'activityPeriodStart', end: 'activityPeriodEnd' },
    additionality: { hash: hashOf('method') },
    ...overrides,
  };
}

/** A claim document for `protocol`; `overrides` replace fields. */
export function claimDoc(protocol: { id: string; version: number }, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    protocolId: protocol.id,
    protocolVersion: protocol.version,
    credentialHash: hashOf(`credential-${JSON.stringify(overrides)}-${protocol.id}`),
    subjectPseudonym: hashOf('alice'),
    periodStart: '2026-03-01',
    periodEnd: '2026-03-31',
    quantity: 10_000,
    proofLevel: 'computed',
    evidenceHashes: [hashOf('evidence')],
    ...overrides,
  };
}

async function registerAndActivate(net: FakeNetwork, operator: Member, doc: Record<string, unknown>): Promise<{ id: string; version: number }> {
  await net.ok(operator, 'protocols:Register', JSON.stringify(doc));
  await net.ok(operator, 'protocols:Activate', String(doc.id), String(doc.version));
  return { id: String(doc.id), version: Number(doc.version) };
}

/** Builds the cast: roles granted by each MSP's operator, protocols p1..p3 active. */
export async function buildCast(extraContracts: readonly unknown[] = []): Promise<Cast> {
  const net = new FakeNetwork(extraContracts);
  const m = (msp: string, cn: string) => net.member(msp, cn);
  const op1 = net.member('Org1MSP', 'Admin@org1', 'admin');
  const op2 = net.member('Org2MSP', 'Admin@org2', 'admin');
  const op3 = net.member('Org3MSP', 'Admin@org3', 'admin');
  const people = {
    submitter1: m('Org1MSP', 'User1@org1'), submitter2: m('Org2MSP', 'User1@org2'), verA: m('Org2MSP', 'User2@org2'),
    verB: m('Org3MSP', 'User2@org3'), verC: m('Org3MSP', 'User3@org3'), verX: m('Org2MSP', 'User3@org2'), dual: m('Org1MSP', 'User6@org1'),
    // validators belong to another organisation than the submitters of the claims they validate
    validator1: m('Org3MSP', 'User4@org3'), validator2: m('Org1MSP', 'User4@org1'), funder: m('Org2MSP', 'User5@org2'),
  };
  const operatorOf: Record<string, Member> = { Org1MSP: op1, Org2MSP: op2, Org3MSP: op3 };
  const grants: [Member, string][] = [
    [people.submitter1, 'submitter'], [people.submitter2, 'submitter'], [people.verA, 'verifier'], [people.verB, 'verifier'],
    [people.verC, 'verifier'], [people.verX, 'verifier'], [people.dual, 'submitter'], [people.dual, 'verifier'],
    [people.validator1, 'validator'], [people.validator2, 'validator'], [people.funder, 'funder'],
  ];
  for (const [member, role] of grants) await net.ok(operatorOf[member.mspId] as Member, 'roles:Grant', member.identity, role);
  const p1 = await registerAndActivate(net, op1, protocolDoc({
    id: 'commute', verifiers: [people.verA.identity, people.verB.identity, people.verC.identity], quorum: 2, minVerifierOrgs: 2, validators: [people.validator1.identity],
  }));
  const p2 = await registerAndActivate(net, op2, protocolDoc({
    id: 'org2-commute', pillar: 'A', verifiers: [people.verA.identity], validators: [people.validator2.identity],
  }));
  const p3 = await registerAndActivate(net, op1, protocolDoc({
    id: 'heat-pumps', category: 'heat-pump', verifiers: [people.dual.identity, people.verA.identity], validators: [people.validator1.identity],
  }));
  return { net, op1, op2, op3, ...people, p1, p2, p3 };
}
