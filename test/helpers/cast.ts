/**
 * The cast of the contract-level tests on the in-memory network: three organisations, their
 * operators, members with roles granted on the ledger, and active protocols.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { CREDENTIAL_TRANSIENT_KEY, PSEUDONYM_SECRET_TRANSIENT_KEY } from '@impact-ledger/chaincode/domain';
import {
  createStaticDocumentLoader, credentialHash, generateIssuerKey, pseudonymSaltFor, signCredential, subjectPseudonym, type IssuerKeyPair, type JsonObject,
} from '@impact-ledger/credentials';
import { commuteCredential } from './credentials-fixtures';
import { FakeNetwork, type Member, type TxOutcome } from './fake-fabric';

/** The did:key issuers the test protocols trust (Ed25519 keys seeded with bytes 1 and 2). */
export const ISSUER_DID = 'did:key:z6Mkon3Necd6NkkyfoGoHxid2znGc59LU3K7mubaRcFbLfLX';
export const SECOND_ISSUER_DID = 'did:key:z6Mko9hTggMwjSTEaJaPUfE6tqcy2xvU6BnNq3e3o8qVBiyH';
/** The network secret the pseudonyms of the in-memory network derive from. */
export const TEST_NETWORK_SECRET = 'impact-ledger-in-memory-test-network-secret';

const issuers = new Map<string, Promise<IssuerKeyPair>>();
/** The key pair of a test issuer (deterministic). */
export function testIssuer(which: 'first' | 'second' = 'first'): Promise<IssuerKeyPair> {
  let issuer = issuers.get(which);
  if (issuer === undefined) {
    issuer = generateIssuerKey({ seed: new Uint8Array(32).fill(which === 'first' ? 1 : 2) });
    issuers.set(which, issuer);
  }
  return issuer;
}

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
  p1: TestProtocol;
  /** Org2, same category as p1, verifier A with k = 1, validator2 (Org1), pillar A. */
  p2: TestProtocol;
  /** Org1, other category, verifiers dual and A with k = 1 (one organisation suffices), validator1 (Org3), pillar B. */
  p3: TestProtocol;
}

/** A protocol version of the tests and its impact category. */
export interface TestProtocol {
  id: string;
  version: number;
  category: string;
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
    trustedIssuers: [ISSUER_DID, SECOND_ISSUER_DID],
    subjectSchema: { type: 'object', required: ['quantity'], properties: { quantity: { type: 'number' } } },
    quantityField: 'quantity',
    periodFields: { start: 'activityPeriodStart', end: 'activityPeriodEnd' },
    additionality: { hash: hashOf('method') },
    ...overrides,
  };
}

/** What a test claim states: the credential's subject facts and the public arguments. */
export interface ClaimOverrides {
  /** The subject (its id is `did:example:<subject>`); default alice. */
  subject?: string;
  periodStart?: string;
  periodEnd?: string;
  /** The credential subject's quantity (any JSON value, to test refusals). */
  quantity?: unknown;
  proofLevel?: string;
  evidenceHashes?: string[];
  /** Which test issuer signs. */
  issuedBy?: 'first' | 'second';
  /** Makes the credential distinct from one with the same facts. */
  label?: string;
  /** Validity window (default 2026-01-01 to 2027-06-01, around the in-memory network's clock). */
  validFrom?: string;
  validUntil?: string;
  /** The credential's `credentialStatus` (W3C Bitstring Status List entries). */
  credentialStatus?: JsonObject | JsonObject[];
}

/** A signed claim ready to submit: public argument, transient data, and what the chaincode derives. */
export interface ClaimDoc {
  /** The one argument of claims:Submit. */
  args: string;
  /** The proposal's transient data (the credential). */
  transient: Record<string, string>;
  credential: JsonObject;
  credentialHash: string;
  subjectPseudonym: string;
  issuer: string;
  periodStart: string;
  periodEnd: string;
}

const signed = new Map<string, Promise<ClaimDoc>>();

/** The subject pseudonym the chaincode derives for `subject` in `category`. */
export function pseudonymOf(subject: string, category: string): string {
  return subjectPseudonym(`did:example:${subject}`, pseudonymSaltFor(TEST_NETWORK_SECRET, category));
}

async function signClaim(protocol: TestProtocol, overrides: ClaimOverrides): Promise<ClaimDoc> {
  const issuer = await testIssuer(overrides.issuedBy ?? 'first');
  const subject = overrides.subject ?? 'alice';
  const periodStart = overrides.periodStart ?? '2026-03-01';
  const periodEnd = overrides.periodEnd ?? '2026-03-31';
  const credential = await signCredential(commuteCredential(issuer.controller, {
    fields: {
      id: `urn:uuid:${hashOf(`credential-${JSON.stringify(overrides)}-${protocol.id}`).slice(0, 32)}`,
      validFrom: overrides.validFrom ?? '2026-01-01T00:00:00Z', validUntil: overrides.validUntil ?? '2027-06-01T00:00:00Z',
      ...(overrides.credentialStatus === undefined ? {} : { credentialStatus: overrides.credentialStatus }),
    },
    subject: { id: `did:example:${subject}`, activityPeriodStart: periodStart, activityPeriodEnd: periodEnd, quantity: (overrides.quantity ?? 10_000) as number },
  }), issuer, { date: overrides.validFrom ?? '2026-01-01T00:00:00Z' });
  return {
    args: JSON.stringify({
      protocolId: protocol.id, protocolVersion: protocol.version, proofLevel: overrides.proofLevel ?? 'computed', evidenceHashes: overrides.evidenceHashes ?? [hashOf('evidence')],
    }),
    transient: { [CREDENTIAL_TRANSIENT_KEY]: JSON.stringify(credential) },
    credential,
    credentialHash: await credentialHash(credential, createStaticDocumentLoader()),
    subjectPseudonym: pseudonymOf(subject, protocol.category),
    issuer: issuer.controller,
    periodStart,
    periodEnd,
  };
}

/**
 * A claim of `protocol`: a commute credential signed by a trusted test issuer (deterministic: the
 * same overrides give the same credential and hash), its public argument and transient data.
 */
export function claimDoc(protocol: TestProtocol, overrides: ClaimOverrides = {}): Promise<ClaimDoc> {
  const key = `${protocol.id}/${protocol.version}/${protocol.category}/${JSON.stringify(overrides)}`;
  let doc = signed.get(key);
  if (doc === undefined) {
    doc = signClaim(protocol, overrides);
    signed.set(key, doc);
  }
  return doc;
}

/** Submits `doc` as `member` (claims:Submit with the credential in the transient data). */
export function submitClaim<T = unknown>(net: FakeNetwork, member: Member, doc: ClaimDoc): Promise<TxOutcome<T>> {
  return net.invokeWith<T>(member, 'claims:Submit', [doc.args], doc.transient);
}

/** Submits `doc` as `member` and asserts the refusal `code` with nothing written and the world state unchanged. */
export async function expectClaimRefused(net: FakeNetwork, member: Member, doc: ClaimDoc, code: string): Promise<void> {
  const before = new Map(net.world.entries);
  const outcome = await submitClaim(net, member, doc);
  expect(outcome.error?.code, outcome.message).to.equal(code);
  expect(outcome.writes.size, 'nothing written').to.equal(0);
  expect(net.world.entries).to.deep.equal(before);
}

/** Submits `doc` as `member` and returns the claim, or throws. */
export function submitClaimOk<T = unknown>(net: FakeNetwork, member: Member, doc: ClaimDoc): Promise<T> {
  return net.okWith<T>(member, 'claims:Submit', [doc.args], doc.transient);
}

/** Registers and activates a protocol document as `operator`. */
export async function registerAndActivate(net: FakeNetwork, operator: Member, doc: Record<string, unknown>): Promise<TestProtocol> {
  await net.ok(operator, 'protocols:Register', JSON.stringify(doc));
  await net.ok(operator, 'protocols:Activate', String(doc.id), String(doc.version));
  return { id: String(doc.id), version: Number(doc.version), category: String(doc.category) };
}

/** Builds the cast: roles granted by each MSP's operator, protocols p1..p3 active. */
export async function buildCast(extraContracts: readonly unknown[] = []): Promise<Cast> {
  const net = new FakeNetwork(extraContracts);
  const m = (msp: string, cn: string) => net.member(msp, cn);
  const op1 = net.member('Org1MSP', 'Admin@org1', 'admin');
  const op2 = net.member('Org2MSP', 'Admin@org2', 'admin');
  const op3 = net.member('Org3MSP', 'Admin@org3', 'admin');
  await net.okWith(op1, 'system:SetPseudonymSecret', [], { [PSEUDONYM_SECRET_TRANSIENT_KEY]: TEST_NETWORK_SECRET });
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
