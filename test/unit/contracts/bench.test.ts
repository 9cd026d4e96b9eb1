import '../../helpers/quiet-logs';
import { expect } from 'chai';
import { BenchContract, contracts, Keys } from '@impact-ledger/chaincode';
import { seededProofId } from '@impact-ledger/chaincode/domain';
import { buildCast, type Cast } from '../../helpers/cast';
import { compositeKey } from '../../helpers/fake-fabric';

interface Totals { totals: { pillar: string; unit: string; issued: number; retired: number }[] }
interface Provenance { proof: { id: string; claimId: string; quantity: number; status: string }; claim: { id: string; status: string; proofId: string }; protocol: { id: string } }

const key = (k: { objectType: string; attributes: string[] }) => compositeKey(k.objectType, k.attributes);

describe('contract bench (benchmark-only, in-memory peer)', function () {
  this.timeout(20_000); // building the cast signs certificates: slow on a loaded 2-core machine
  let c: Cast;

  beforeEach(async () => {
    c = await buildCast([BenchContract]);
  });

  it('is not among the contracts a production chaincode server registers', () => {
    expect(process.env.IL_BENCH_CONTRACT).to.not.equal('1');
    expect(contracts).to.not.include(BenchContract);
  });

  it('Put writes one key for an operator and refuses anyone else, writing nothing', async () => {
    const put = await c.net.invoke(c.op1, 'bench:Put', 'k-1', 'value');
    expect(put.ok, put.message).to.equal(true);
    expect([...put.writes.keys()]).to.deep.equal([compositeKey('il.bench', ['k-1'])]);
    const refused = await c.net.invoke(c.submitter1, 'bench:Put', 'k-2', 'value');
    expect(refused.error?.code).to.equal('FORBIDDEN_ROLE');
    expect(c.net.world.entries.has(compositeKey('il.bench', ['k-2']))).to.equal(false);
  });

  it('SeedProofs writes proofs that provenance, the indexes and the totals see like issued ones', async () => {
    const before = await c.net.ok<Totals>(c.funder, 'proofs:Totals', '{"pillar":"B","unit":"gCO2e"}');
    const seeded = await c.net.invoke<{ written: number }>(c.op1, 'bench:SeedProofs', c.p1.id, '1', '0', '5');
    expect(seeded.ok, seeded.message).to.equal(true);
    expect(seeded.result.written).to.equal(5);
    const more = await c.net.invoke(c.op2, 'bench:SeedProofs', c.p1.id, '1', '5', '3');
    expect(more.ok, more.message).to.equal(true);
    for (let i = 0; i < 8; i++) {
      const proofId = seededProofId(c.p1.id, 1, i);
      const provenance = await c.net.ok<Provenance>(c.funder, 'proofs:Provenance', proofId);
      expect(provenance.proof).to.include({ id: proofId, quantity: 1000, status: 'active' });
      expect(provenance.claim).to.include({ id: provenance.proof.claimId, status: 'validated', proofId });
      expect(c.net.world.entries.has(key(Keys.proofByStatus('active', proofId)))).to.equal(true);
    }
    const after = await c.net.ok<Totals>(c.funder, 'proofs:Totals', '{"pillar":"B","unit":"gCO2e"}');
    const issued = (t: Totals) => t.totals.find((x) => x.pillar === 'B' && x.unit === 'gCO2e')?.issued ?? 0;
    expect(issued(after) - issued(before)).to.equal(8000);
  });

  it('SeedProofs refuses non-operators, unknown protocols and oversized batches, writing nothing', async () => {
    const size = c.net.world.entries.size;
    expect((await c.net.invoke(c.submitter1, 'bench:SeedProofs', c.p1.id, '1', '0', '5')).error?.code).to.equal('FORBIDDEN_ROLE');
    expect((await c.net.invoke(c.op1, 'bench:SeedProofs', 'no-such-protocol', '1', '0', '5')).error?.code).to.equal('NOT_FOUND');
    expect((await c.net.invoke(c.op1, 'bench:SeedProofs', c.p1.id, '1', '0', '1001')).error?.code).to.equal('INVALID_ARGUMENT');
    expect(c.net.world.entries.size).to.equal(size);
  });
});
