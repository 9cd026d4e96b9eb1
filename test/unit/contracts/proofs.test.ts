import '../../helpers/quiet-logs';
import { expect } from 'chai';
import { canonicalJson, Keys } from '@impact-ledger/chaincode';
import { MAX_SPLIT_DEPTH } from '@impact-ledger/chaincode/domain';
import { buildCast, claimDoc, hashOf, submitClaim, type Cast, type TestProtocol } from '../../helpers/cast';
import { compositeKey, type Member } from '../../helpers/fake-fabric';

interface Proof {
  id: string; serial: string; owner: string; quantity: number; status: string; parentId?: string; originId: string; children?: string[];
  unitRange: { first: number; last: number }; pillar: string; unit: string; price?: { amount: number; currency: string };
  retirement?: { beneficiary: string; purpose: string; txId: string };
}
interface Move { moved: Proof; remainder?: Proof; parent?: Proof }
interface Page { records: Proof[]; bookmark: string; fetchedRecordsCount: number }
interface Totals { totals: { pillar: string; unit: string; issued: number; retired: number; sdgTarget?: string; period?: string; protocolId?: string }[] }
interface Compacted { entriesFolded: number; more: boolean }

const key = (k: { objectType: string; attributes: string[] }) => compositeKey(k.objectType, k.attributes);

describe('contract proofs (in-memory peer)', () => {
  let c: Cast;
  let proof: Proof;
  let validationTx: string;
  let voteTxs: string[];
  let claimTx: string;

  async function issue(protocol: TestProtocol, verifiers: Member[], validator: Member, quantity: number, subject: string): Promise<{ proof: Proof; tx: string; votes: string[]; claimTx: string }> {
    const submitter = protocol === c.p2 ? c.submitter2 : c.submitter1;
    const submitted = await submitClaim<{ id: string }>(c.net, submitter, await claimDoc(protocol, { subject, quantity }));
    const votes: string[] = [];
    for (const verifier of verifiers) {
      votes.push((await c.net.invoke(verifier, 'claims:Verify', submitted.result.id, 'approve', String(quantity), hashOf('r'))).txId);
    }
    const validated = await c.net.invoke<Proof>(validator, 'claims:Validate', submitted.result.id, String(quantity));
    expect(validated.ok, validated.message).to.equal(true);
    return { proof: validated.result, tx: validated.txId, votes, claimTx: submitted.txId };
  }

  beforeEach(async () => {
    c = await buildCast();
    const issued = await issue(c.p1, [c.verA, c.verB], c.validator1, 9000, 'alice');
    proof = issued.proof;
    validationTx = issued.tx;
    voteTxs = issued.votes;
    claimTx = issued.claimTx;
  });

  it('transfers a whole proof: owner and owner index change on the same proof', async () => {
    const outcome = await c.net.invoke<Move>(c.submitter1, 'proofs:Transfer', proof.id, c.funder.identity, '9000', '{"amount":1000,"currency":"EUR"}');
    expect(outcome.result.moved).to.include({ id: proof.id, owner: c.funder.identity });
    expect(outcome.result.moved.price).to.deep.equal({ amount: 1000, currency: 'EUR' });
    expect(outcome.writes.get(key(Keys.proofByOwner(c.submitter1.identity, proof.id)))).to.equal(null);
    expect(outcome.writes.has(key(Keys.proofByOwner(c.funder.identity, proof.id)))).to.equal(true);
    expect(outcome.events).to.deep.equal([{ name: 'ProofTransferred', payload: { proofId: proof.id, from: c.submitter1.identity, to: c.funder.identity, quantity: 9000, txId: outcome.txId } }]);
  });

  it('splits a partial transfer into two children with exact sums, contiguous ranges and updated indexes', async () => {
    const outcome = await c.net.invoke<Move>(c.submitter1, 'proofs:Transfer', proof.id, c.funder.identity, '3000', '{"amount":4500,"currency":"EUR"}');
    const { moved, remainder, parent } = outcome.result;
    expect(parent?.status).to.equal('split');
    expect(moved.quantity + (remainder?.quantity ?? 0)).to.equal(proof.quantity);
    expect([moved.unitRange, remainder?.unitRange]).to.deep.equal([{ first: 1, last: 3000 }, { first: 3001, last: 9000 }]);
    expect(moved).to.include({ owner: c.funder.identity, parentId: proof.id, originId: proof.id });
    expect(remainder).to.include({ owner: c.submitter1.identity, parentId: proof.id, originId: proof.id });
    const ids = [moved.id, remainder?.id as string];
    expect([...outcome.writes.keys()].sort()).to.deep.equal([
      key(Keys.proof(proof.id)), key(Keys.proofByStatus('active', proof.id)), key(Keys.proofByStatus('split', proof.id)),
      ...ids.flatMap((id, i) => [key(Keys.proof(id)), key(Keys.proofByOwner(i === 0 ? c.funder.identity : c.submitter1.identity, id)),
        key(Keys.proofByProtocol('commute', 1, id)), key(Keys.proofByStatus('active', id))]),
    ].sort());
    expect(outcome.writes.get(key(Keys.proofByStatus('active', proof.id)))).to.equal(null);
    expect(outcome.events).to.have.length(1);
    expect(outcome.events[0]?.payload).to.deep.equal({ proofId: proof.id, parentId: proof.id, children: ids, movedId: moved.id, remainderId: ids[1], from: c.submitter1.identity, to: c.funder.identity, quantity: 3000, txId: outcome.txId });
    const funderPage = await c.net.ok<Page>(c.funder, 'proofs:ListByOwner', c.funder.identity, '10', '');
    expect(funderPage.records.map((p) => p.id)).to.deep.equal([moved.id]);
    expect((await c.net.ok<Page>(c.funder, 'proofs:ListByStatus', 'split', '10', '')).records.map((p) => p.id)).to.deep.equal([proof.id]);
    expect(await c.net.ok<Page>(c.funder, 'proofs:ListByStatus', 'retired', '10', ''), 'an empty page, as the peer sends it').to.deep.equal({ records: [], bookmark: '', fetchedRecordsCount: 0 });
    expect((await c.net.ok<Page>(c.funder, 'proofs:ListByProtocol', 'commute', '1', '10', '')).records).to.have.length(3);
    expect((await c.net.invoke(c.submitter1, 'proofs:Transfer', proof.id, c.funder.identity, '1', '')).error?.code, 'a split parent never moves').to.equal('INVALID_STATE_TRANSITION');
  });

  it('retires part: a retired child and an active remainder; retired quantities never move again', async () => {
    const outcome = await c.net.invoke<Move>(c.submitter1, 'proofs:Retire', proof.id, '1000', 'Ville de Lyon', 'employee commute 2026');
    const retired = outcome.result.moved;
    expect(retired).to.include({ status: 'retired', quantity: 1000 });
    expect(retired.retirement).to.include({ beneficiary: 'Ville de Lyon', purpose: 'employee commute 2026', txId: outcome.txId });
    expect(outcome.result.remainder).to.include({ status: 'active', quantity: 8000 });
    expect(outcome.writes.has(key(Keys.totalsEntry('B', 'gCO2e', 'commute', 1, `retired:${retired.id}`)))).to.equal(true);
    expect(outcome.events.map((e) => e.name)).to.deep.equal(['ProofRetired']);
    const before = new Map(c.net.world.entries);
    expect((await c.net.invoke(c.submitter1, 'proofs:Transfer', retired.id, c.funder.identity, '1000', '')).error?.code).to.equal('PROOF_RETIRED');
    expect((await c.net.invoke(c.submitter1, 'proofs:Retire', retired.id, '1000', 'x', 'y')).error?.code).to.equal('PROOF_RETIRED');
    expect((await c.net.invoke(c.submitter1, 'proofs:Retire', retired.id, '1', 'x', 'y')).error?.code).to.equal('PROOF_RETIRED');
    expect(c.net.world.entries).to.deep.equal(before);
    const whole = await c.net.invoke<Move>(c.submitter1, 'proofs:Retire', outcome.result.remainder?.id as string, '8000', 'Ville de Lyon', 'rest');
    expect(whole.result.moved).to.include({ status: 'retired', quantity: 8000 });
  });

  it('refuses non-owners, excessive quantities and bad arguments', async () => {
    expect((await c.net.invoke(c.funder, 'proofs:Transfer', proof.id, c.funder.identity, '1', '')).error?.code).to.equal('NOT_OWNER');
    expect((await c.net.invoke(c.funder, 'proofs:Retire', proof.id, '1', 'b', 'p')).error?.code).to.equal('NOT_OWNER');
    expect((await c.net.invoke(c.submitter1, 'proofs:Transfer', proof.id, c.funder.identity, '9001', '')).error?.code).to.equal('INSUFFICIENT_QUANTITY');
    expect((await c.net.invoke(c.submitter1, 'proofs:Transfer', proof.id, 'bob', '1', '')).error?.code).to.equal('INVALID_ARGUMENT');
    expect((await c.net.invoke(c.submitter1, 'proofs:Transfer', proof.id, c.funder.identity, '1', '{"amount":1.5,"currency":"EUR"}')).error?.code).to.equal('INVALID_ARGUMENT');
    expect((await c.net.invoke(c.submitter1, 'proofs:Transfer', hashOf('none'), c.funder.identity, '1', '')).error?.code).to.equal('NOT_FOUND');
    await c.net.ok(c.op1, 'roles:Revoke', c.submitter1.identity, 'submitter');
    expect((await c.net.invoke(c.submitter1, 'proofs:Transfer', proof.id, c.funder.identity, '1', '')).error?.code, 'an owner without a holder role').to.equal('FORBIDDEN_ROLE');
  });

  it('answers provenance back to the protocol with bounded reads', async () => {
    const first = (await c.net.invoke<Move>(c.submitter1, 'proofs:Transfer', proof.id, c.funder.identity, '3000', '')).result.moved;
    const retired = (await c.net.invoke<Move>(c.funder, 'proofs:Retire', first.id, '1000', 'Ville de Lyon', 'commute')).result.moved;
    const outcome = await c.net.invoke<{
      proof: Proof; ancestors: Proof[]; validation: { validator: string; quantity: number; txId: string; timestamp: string };
      verifications: { verifier: string; txId: string }[]; claim: { id: string; credentialHash: string; txId: string; submitter: string };
      protocol: { id: string; version: number; activation: { txId: string } };
    }>(c.funder, 'proofs:Provenance', retired.id);
    const prov = outcome.result;
    expect(prov.proof.id).to.equal(retired.id);
    expect(prov.ancestors.map((a) => a.id)).to.deep.equal([first.id, proof.id]);
    expect(prov.validation).to.include({ validator: c.validator1.identity, quantity: 9000, txId: validationTx });
    expect(prov.verifications.map((v) => v.txId).sort()).to.deep.equal([...voteTxs].sort());
    expect(prov.claim).to.include({ txId: claimTx, submitter: c.submitter1.identity });
    expect(prov.protocol).to.include({ id: 'commute', version: 1 });
    expect(prov.protocol.activation.txId).to.match(/^[0-9a-f]{64}$/);
    expect(outcome.reads.size, 'three proofs + claim + protocol').to.equal(5);
    expect(MAX_SPLIT_DEPTH).to.equal(64);
  });

  it('reports totals per pillar and unit, never across pillars, from per-issuance entries; compaction keeps them', async () => {
    await issue(c.p2, [c.verA], c.validator2, 500, 'bob');
    const { remainder } = await c.net.ok<Move>(c.submitter1, 'proofs:Retire', proof.id, '2000', 'b', 'p');
    const totals = await c.net.ok<Totals>(c.funder, 'proofs:Totals', '');
    expect(totals.totals).to.deep.equal([
      { pillar: 'A', unit: 'gCO2e', issued: 500, retired: 0 },
      { pillar: 'B', unit: 'gCO2e', issued: 9000, retired: 2000 },
    ]);
    expect((await c.net.ok<Totals>(c.funder, 'proofs:Totals', '{"protocolId":"org2-commute"}')).totals).to.deep.equal([{ pillar: 'A', unit: 'gCO2e', issued: 500, retired: 0 }]);
    expect((await c.net.invoke(c.funder, 'proofs:CompactTotals', 'B', 'gCO2e', '')).error?.code).to.equal('FORBIDDEN_ROLE');
    expect((await c.net.invoke(c.op3, 'proofs:CompactTotals', 'B', 'gCO2e', '0')).error?.code).to.equal('INVALID_ARGUMENT');
    const first = await c.net.invoke<Compacted>(c.op3, 'proofs:CompactTotals', 'B', 'gCO2e', '1');
    expect(first.result, 'one of two deltas folded, bounded').to.include({ entriesFolded: 1, more: true });
    expect((await c.net.ok<Totals>(c.funder, 'proofs:Totals', '')).totals).to.deep.equal(totals.totals);
    const compacted = await c.net.invoke<Compacted>(c.op3, 'proofs:CompactTotals', 'B', 'gCO2e', '');
    expect(compacted.result).to.include({ entriesFolded: 1, more: false });
    expect(compacted.events.map((e) => e.name)).to.deep.equal(['TotalsCompacted']);
    expect(compacted.reads.size, 'the snapshot it folds into is read, nothing else beyond the range').to.be.at.most(1);
    expect([...compacted.writes].filter(([, v]) => v !== null).map(([k]) => k)).to.deep.equal([key(Keys.totalsEntry('B', 'gCO2e', 'commute', 1, 'snapshot:2026-03'))]);
    expect((await c.net.ok<Compacted>(c.op3, 'proofs:CompactTotals', 'B', 'gCO2e', '')).entriesFolded, 'nothing left').to.equal(0);
    expect((await c.net.ok<Totals>(c.funder, 'proofs:Totals', '')).totals).to.deep.equal(totals.totals);
    await c.net.ok(c.submitter1, 'proofs:Retire', remainder?.id as string, '1', 'b', 'p');
    expect((await c.net.ok<Totals>(c.funder, 'proofs:Totals', '{"pillar":"B","unit":"gCO2e"}')).totals).to.deep.equal([{ pillar: 'B', unit: 'gCO2e', issued: 9000, retired: 2001 }]);
  });

  it('sums totals page by page, so a ledger past the peer\'s query limit is never cut short', async () => {
    const entry = { pillar: 'C', unit: 't', protocolId: 'bulk', protocolVersion: 1, sdgTargets: ['13.2'], month: '2026-01', issued: 3, retired: 0 };
    const bytes = Buffer.from(canonicalJson(entry));
    for (let i = 0; i < 25_001; i += 1) c.net.world.entries.set(key(Keys.totalsEntry('C', 't', 'bulk', 1, `issued:${String(i).padStart(6, '0')}`)), bytes);
    const totals = await c.net.ok<Totals>(c.funder, 'proofs:Totals', '{"pillar":"C"}');
    expect(totals.totals).to.deep.equal([{ pillar: 'C', unit: 't', issued: 75_003, retired: 0 }]);
  });

  it('groups totals by protocol, SDG target and activity period, and filters by them', async () => {
    await issue(c.p2, [c.verA], c.validator2, 500, 'bob');
    const grouped = await c.net.ok<Totals>(c.funder, 'proofs:Totals', '{"groupBy":["sdg","month"]}');
    expect(grouped.totals).to.deep.equal([
      { pillar: 'A', unit: 'gCO2e', sdgTarget: '11.2', period: '2026-03', issued: 500, retired: 0 },
      { pillar: 'A', unit: 'gCO2e', sdgTarget: '13.2', period: '2026-03', issued: 500, retired: 0 },
      { pillar: 'B', unit: 'gCO2e', sdgTarget: '11.2', period: '2026-03', issued: 9000, retired: 0 },
      { pillar: 'B', unit: 'gCO2e', sdgTarget: '13.2', period: '2026-03', issued: 9000, retired: 0 },
    ]);
    const byProtocol = await c.net.ok<Totals>(c.funder, 'proofs:Totals', '{"groupBy":["protocol","year"],"pillar":"B"}');
    expect(byProtocol.totals).to.deep.equal([{ pillar: 'B', unit: 'gCO2e', protocolId: 'commute', protocolVersion: 1, period: '2026', issued: 9000, retired: 0 }]);
    expect((await c.net.ok<Totals>(c.funder, 'proofs:Totals', '{"from":"2026-04"}')).totals).to.deep.equal([]);
    expect((await c.net.ok<Totals>(c.funder, 'proofs:Totals', '{"sdg":"11.2","to":"2026-03"}')).totals).to.have.length(2);
    expect((await c.net.ok<Totals>(c.funder, 'proofs:Totals', '{"sdg":"7.2"}')).totals).to.deep.equal([]);
    expect((await c.net.invoke(c.funder, 'proofs:Totals', '{"groupBy":["month","year"]}')).error?.code).to.equal('INVALID_ARGUMENT');
  });
});
