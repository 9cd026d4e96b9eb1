import '../../helpers/quiet-logs';
import { expect } from 'chai';
import { Keys } from '@impact-ledger/chaincode';
import { assertNotFlagged, CASCADE_BATCH, flagIdOf } from '@impact-ledger/chaincode/domain';
import { buildCast, claimDoc, hashOf, SECOND_ISSUER_DID, submitClaim, submitClaimOk, type Cast } from '../../helpers/cast';
import { compositeKey, type Member } from '../../helpers/fake-fabric';

interface Mark { flagId: string; kind: string; subject: string; reason: string }
interface Proof { id: string; owner: string; quantity: number; status: string; flags?: Mark[]; children?: string[] }
interface Claim { id: string; status: string; flags?: Mark[]; proofId?: string }
interface Batch { flag: { id: string; active: boolean; cascadeDone: boolean; claimsMarked: number; proofsMarked: number }; claims: string[]; proofs: string[] }

/** The issuer whose credentials the tests revoke: the second test issuer (the first stays trusted). */
const ISSUER = SECOND_ISSUER_DID;
const key = (k: { objectType: string; attributes: string[] }) => compositeKey(k.objectType, k.attributes);

describe('contract revocation (in-memory peer)', () => {
  let c: Cast;

  /** A validated claim of p1 (optionally from ISSUER), its proof split by a partial transfer. */
  async function issued(label: string, split = true): Promise<{ claim: Claim; credentialHash: string; proof: Proof; children: string[] }> {
    const doc = await claimDoc(c.p1, { subject: label, issuedBy: 'second' });
    const credentialHash = doc.credentialHash;
    const submitted = await submitClaimOk<Claim>(c.net, c.submitter1, doc);
    for (const v of [c.verA, c.verB]) await c.net.ok(v, 'claims:Verify', submitted.id, 'approve', '10000', hashOf('r'));
    const proof = await c.net.ok<Proof>(c.validator1, 'claims:Validate', submitted.id, '10000');
    let children: string[] = [];
    if (split) {
      const move = await c.net.ok<{ parent: Proof }>(c.submitter1, 'proofs:Transfer', proof.id, c.funder.identity, '4000', '');
      children = move.parent.children ?? [];
    }
    return { claim: submitted, credentialHash, proof, children };
  }

  const proofOf = (id: string) => c.net.ok<Proof>(c.funder, 'proofs:Get', id);
  const claimOf = (id: string) => c.net.ok<Claim>(c.funder, 'claims:Get', id);

  beforeEach(async () => {
    c = await buildCast();
  });

  it('flags a credential: its claim, proof and split children carry the mark; one event lists them', async () => {
    const { claim, credentialHash, proof, children } = await issued('alice');
    const outcome = await c.net.invoke<Batch>(c.op2, 'revocation:Flag', 'credential', credentialHash, 'issuer reported the credential as fraudulent');
    expect(outcome.ok, outcome.message).to.equal(true);
    expect(outcome.result.claims).to.deep.equal([claim.id]);
    expect(outcome.result.proofs).to.have.members([proof.id, ...children]);
    expect(outcome.result.flag).to.include({ active: true, cascadeDone: true, claimsMarked: 1, proofsMarked: 3 });
    expect(outcome.events).to.have.length(1);
    expect(outcome.events[0]?.name).to.equal('FlagRaised');
    expect(outcome.events[0]?.payload).to.include({ flagId: flagIdOf('credential', credentialHash), kind: 'credential' });
    expect((outcome.events[0]?.payload as { proofsFlagged: string[] }).proofsFlagged).to.have.members([proof.id, ...children]);
    for (const id of [proof.id, ...children]) expect((await proofOf(id)).flags?.[0]).to.include({ kind: 'credential', subject: credentialHash });
    expect((await claimOf(claim.id)).flags).to.have.length(1);
    const provenance = await c.net.ok<{ flags: { id: string; active: boolean }[] }>(c.funder, 'proofs:Provenance', children[0] ?? '');
    expect(provenance.flags).to.deep.equal([{ ...provenance.flags[0], id: flagIdOf('credential', credentialHash), active: true }]);
  });

  it('refuses transfers and retirements of a flagged proof (PROOF_FLAGGED), writing nothing, until cleared', async () => {
    const { credentialHash, children } = await issued('bob');
    const [moved = '', remainder = ''] = children;
    const flag = await c.net.ok<Batch>(c.op1, 'revocation:Flag', 'credential', credentialHash, 'revoked');
    const transfer = await c.net.invoke(c.submitter1, 'proofs:Transfer', remainder, c.funder.identity, '10', '');
    expect(transfer.error?.code).to.equal('PROOF_FLAGGED');
    expect(transfer.writes.size).to.equal(0);
    const retire = await c.net.invoke(c.funder, 'proofs:Retire', moved, '4000', 'ACME', 'offset');
    expect(retire.error?.code).to.equal('PROOF_FLAGGED');
    const cleared = await c.net.invoke<Batch>(c.op3, 'revocation:Clear', flag.flag.id);
    expect(cleared.ok, cleared.message).to.equal(true);
    expect(cleared.events[0]?.name).to.equal('FlagCleared');
    expect((await proofOf(remainder)).flags).to.equal(undefined);
    const again = await c.net.invoke(c.submitter1, 'proofs:Transfer', remainder, c.funder.identity, '10', '');
    expect(again.ok, again.message).to.equal(true);
  });

  it('refuses a new submission of a revoked credential or from a revoked issuer (CREDENTIAL_REVOKED)', async () => {
    const doc = await claimDoc(c.p1, { subject: 'never-submitted' });
    await c.net.ok(c.op1, 'revocation:Flag', 'credential', doc.credentialHash, 'revoked before use');
    const refused = await submitClaim(c.net, c.submitter1, doc);
    expect(refused.error?.code).to.equal('CREDENTIAL_REVOKED');
    await c.net.ok(c.op1, 'revocation:Flag', 'issuer', ISSUER, 'key compromised');
    const fromIssuer = await submitClaim(c.net, c.submitter1, await claimDoc(c.p1, { subject: 'other', issuedBy: 'second' }));
    expect(fromIssuer.error?.code).to.equal('CREDENTIAL_REVOKED');
  });

  it('flags every claim of an issuer through its index, and refuses validation of a flagged claim (CLAIM_FLAGGED)', async () => {
    const a = await issued('carol', false);
    const submitted = await submitClaimOk<Claim>(c.net, c.submitter1, await claimDoc(c.p1, { subject: 'dave', issuedBy: 'second' }));
    for (const v of [c.verA, c.verB]) await c.net.ok(v, 'claims:Verify', submitted.id, 'approve', '10000', hashOf('r'));
    const other = await submitClaimOk<Claim>(c.net, c.submitter1, await claimDoc(c.p1, { subject: 'erin' }));
    const batch = await c.net.ok<Batch>(c.op1, 'revocation:Flag', 'issuer', ISSUER, 'key compromised');
    expect(batch.claims).to.have.members([a.claim.id, submitted.id]);
    expect(batch.proofs).to.deep.equal([a.proof.id]);
    expect((await claimOf(other.id)).flags).to.equal(undefined);
    const validation = await c.net.invoke(c.validator1, 'claims:Validate', submitted.id, '10000');
    expect(validation.error?.code).to.equal('CLAIM_FLAGGED');
  });

  it('suspending a protocol version raises its flag; ContinueCascade marks its claims and proofs; re-activation clears', async () => {
    const { proof, children } = await issued('frank');
    const suspended = await c.net.invoke(c.op1, 'protocols:Suspend', c.p1.id, '1');
    expect(suspended.ok, suspended.message).to.equal(true);
    const flagId = flagIdOf('protocol', `${c.p1.id}@1`);
    expect(suspended.events[0]?.payload).to.include({ flagId });
    const batch = await c.net.invoke<Batch>(c.op2, 'revocation:ContinueCascade', flagId);
    expect(batch.ok, batch.message).to.equal(true);
    expect(batch.events[0]?.name).to.equal('FlagCascaded');
    expect(batch.result.proofs).to.have.members([proof.id, ...children]);
    expect((await proofOf(children[0] ?? '')).flags?.[0]).to.include({ kind: 'protocol' });
    await c.net.ok(c.op1, 'protocols:Activate', c.p1.id, '1');
    const clearing = await c.net.ok<Batch>(c.op1, 'revocation:ContinueCascade', flagId);
    expect(clearing.flag.active).to.equal(false);
    expect(clearing.proofs).to.have.members([proof.id, ...children]);
    expect((await proofOf(children[0] ?? '')).flags).to.equal(undefined);
  });

  it(`cascades in batches of ${CASCADE_BATCH} writes: the rest waits for ContinueCascade`, async () => {
    for (let i = 0; i < CASCADE_BATCH + 5; i++) {
      await submitClaimOk(c.net, c.submitter1, await claimDoc(c.p1, { subject: `bulk-${i}`, issuedBy: 'second' }));
    }
    const first = await c.net.ok<Batch>(c.op1, 'revocation:Flag', 'issuer', ISSUER, 'bulk');
    expect(first.claims).to.have.length(CASCADE_BATCH);
    expect(first.flag.cascadeDone).to.equal(false);
    const second = await c.net.ok<Batch>(c.op1, 'revocation:ContinueCascade', first.flag.id);
    expect(second.claims).to.have.length(5);
    expect(second.flag).to.include({ cascadeDone: true, claimsMarked: CASCADE_BATCH + 5 });
  });

  it('lets only operators flag, clear and continue (FORBIDDEN_ROLE); refuses a double flag (ALREADY_EXISTS) and bad subjects', async () => {
    const user: Member = c.funder;
    expect((await c.net.invoke(user, 'revocation:Flag', 'credential', hashOf('x'), 'r')).error?.code).to.equal('FORBIDDEN_ROLE');
    await c.net.ok(c.op1, 'revocation:Flag', 'credential', hashOf('x'), 'r');
    expect((await c.net.invoke(c.op2, 'revocation:Flag', 'credential', hashOf('x'), 'r')).error?.code).to.equal('ALREADY_EXISTS');
    expect((await c.net.invoke(user, 'revocation:Clear', flagIdOf('credential', hashOf('x')))).error?.code).to.equal('FORBIDDEN_ROLE');
    expect((await c.net.invoke(c.op1, 'revocation:Flag', 'credential', 'not-a-hash', 'r')).error?.code).to.equal('INVALID_ARGUMENT');
    expect((await c.net.invoke(c.op1, 'revocation:Flag', 'protocol', `${c.p1.id}@1`, 'r')).error?.code).to.equal('INVALID_ARGUMENT');
    expect(c.net.world.entries.has(key(Keys.flag(flagIdOf('credential', 'not-a-hash'))))).to.equal(false);
  });

  it('assertNotFlagged is the plain domain check settlement can call', () => {
    expect(() => assertNotFlagged({ id: 'p' })).not.to.throw();
    expect(() => assertNotFlagged({ id: 'p', flags: [{ flagId: 'f', kind: 'issuer', subject: ISSUER, reason: 'r', txId: 't', timestamp: 'now' }] }))
      .to.throw().with.property('code', 'PROOF_FLAGGED');
  });
});
