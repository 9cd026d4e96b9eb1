import { expect } from 'chai';
import { FLAT_GROWTH, memoryGrowth, memoryVerdict, missingOnPeer, pickRate, workflowPeakOf, type MemoryPoint } from '../../bench/lib/soak-stats';

const series = (kib: (minute: number) => number, minutes: number): MemoryPoint[] =>
  Array.from({ length: minutes + 1 }, (_, minute) => ({ minute, kib: kib(minute) }));

const workflowResult = (claimsPerSecond: number, path = 'direct') =>
  ({ stage: 'workflow', path, concurrency: 32, extra: { claimsPerSecond, claimsCompleted: 100, txPerClaim: 4 } });

describe('soak statistics (bench/lib/soak-stats)', () => {
  describe('memoryGrowth', () => {
    it('judges only the last 20 minutes: a warm-up climb before them does not count', () => {
      // 100 MiB climbing to 200 MiB over the first 10 minutes, then flat at 200 MiB.
      const growth = memoryGrowth(series((m) => (m < 10 ? 100_000 + 10_000 * m : 200_000), 30));
      expect(growth.fromMinute).to.equal(10);
      expect(growth.toMinute).to.equal(30);
      expect(growth.samples).to.equal(21);
      expect(growth.fullWindow).to.equal(true);
      expect(growth.growth).to.be.closeTo(0, 1e-9);
      expect(memoryVerdict(growth)).to.equal('flat');
    });

    it('a steady leak of 1% a minute over the window is growing (about 20%)', () => {
      const growth = memoryGrowth(series((m) => 100_000 * (1 + 0.01 * m), 30));
      expect(growth.growth).to.be.closeTo(0.2 / 1.1, 1e-9);
      expect(memoryVerdict(growth)).to.equal('growing');
    });

    it('fits a line: one garbage-collection peak at the last sample does not make a flat process grow', () => {
      const points = series(() => 100_000, 30);
      points[30] = { minute: 30, kib: 125_000 };
      const growth = memoryGrowth(points);
      expect(growth.lastTwoKiB).to.equal(112_500); // the two-sample comparison would say +12.5%
      expect(growth.growth).to.be.below(FLAT_GROWTH);
      expect(memoryVerdict(growth)).to.equal('flat');
    });

    it('growth just below and at the threshold', () => {
      expect(memoryVerdict(memoryGrowth([{ minute: 0, kib: 1000 }, { minute: 20, kib: 1099 }]))).to.equal('flat');
      expect(memoryVerdict(memoryGrowth([{ minute: 0, kib: 1000 }, { minute: 20, kib: 1100 }]))).to.equal('growing');
    });

    it('a run shorter than the window judges all it has and says so; one sample is unknown', () => {
      const short = memoryGrowth(series((m) => 1000 + m, 3));
      expect(short.fullWindow).to.equal(false);
      expect(short.fromMinute).to.equal(0);
      expect(short.samples).to.equal(4);
      expect(memoryVerdict(memoryGrowth([{ minute: 0, kib: 1000 }]))).to.equal('unknown');
      expect(memoryVerdict(memoryGrowth([]))).to.equal('unknown');
    });

    it('does not depend on the order the samples come in', () => {
      const points = series((m) => 1000 + 10 * m, 25);
      expect(memoryGrowth([...points].reverse())).to.deep.equal(memoryGrowth(points));
    });
  });

  describe('pickRate', () => {
    const older = { file: 'a.json', document: { startedAt: '2026-11-23T09:06:03.700Z', results: [workflowResult(5.6)] } };
    const newer = { file: 'b.json', document: { startedAt: '2026-11-23T12:39:07.623Z', results: [workflowResult(9.3), workflowResult(7), workflowResult(20, 'http')] } };
    const noWorkflow = { file: 'c.json', document: { startedAt: '2026-12-01T00:00:00.000Z', results: [{ stage: 'trivial', path: 'direct' }] } };

    it('takes --rate when given, whatever the results say', () => {
      expect(pickRate(2, [newer])).to.deep.equal({ rate: 2, source: '--rate 2' });
    });

    it('else half of the best direct workflow claims/s of the newest document that has one', () => {
      const pick = pickRate(undefined, [newer, noWorkflow, older]);
      expect(pick?.rate).to.be.closeTo(4.65, 1e-9);
      expect(pick?.source).to.contain('b.json').and.contain('9.30 claims/s');
    });

    it('is undefined when no document holds a workflow figure (the soak then probes)', () => {
      expect(pickRate(undefined, [noWorkflow, { file: 'x.json', document: 'not json' }])).to.equal(undefined);
      expect(pickRate(undefined, [])).to.equal(undefined);
    });

    it('ignores malformed figures', () => {
      expect(workflowPeakOf({ startedAt: 'x', results: [{ ...workflowResult(1), extra: { claimsPerSecond: '9' } }, workflowResult(Number.NaN), null] })).to.equal(undefined);
      expect(workflowPeakOf({ results: [workflowResult(3)] })).to.equal(undefined);
    });
  });

  describe('missingOnPeer', () => {
    const acked = { submit: 't1', vote1: 't2', vote2: 't3', validate: 't4' };
    const complete = { claimTxId: 't1', claimStatus: 'validated', verificationTxIds: ['t3', 't2'], proofTxId: 't4' };

    it('nothing is missing when the peer shows every acknowledged transaction', () => {
      expect(missingOnPeer(acked, complete)).to.deep.equal([]);
    });

    it('names each acknowledged transaction the peer does not show', () => {
      expect(missingOnPeer(acked, { claimTxId: 't1', verificationTxIds: ['t2'] })).to.deep.equal(['vote2 t3', 'validate t4 (no proof issued by it)']);
      expect(missingOnPeer(acked, { ...complete, claimStatus: 'verified' })).to.deep.equal(['validate t4 (claim status verified)']);
      expect(missingOnPeer({ submit: 't1' }, { claimTxId: 'other', verificationTxIds: [] })).to.deep.equal(['submit t1']);
    });

    it('asks only for the steps that were acknowledged', () => {
      expect(missingOnPeer({ submit: 't1', vote1: 't2' }, { claimTxId: 't1', claimStatus: 'submitted', verificationTxIds: ['t2'] })).to.deep.equal([]);
    });
  });
});
