import { expect } from 'chai';
import { findConflict, findLostDay, firstConflict, monthSlices, occupy, parseIsoDate, release, doubleCounting } from '@impact-ledger/chaincode/domain';

const may = { month: '2026-05', firstDay: 1, lastDay: 31 };
const lastOfMay = { month: '2026-05', firstDay: 31, lastDay: 31 };

describe('day occupancy (double counting)', () => {
  it('finds the first day held by another claim', () => {
    const bucket = occupy(undefined, may, 'claimA');
    expect(firstConflict(bucket, lastOfMay, 'claimB')).to.deep.equal({ conflictingClaimId: 'claimA', day: '2026-05-31' });
    expect(firstConflict(bucket, may, 'claimA'), 'a claim never conflicts with itself').to.equal(undefined);
    expect(firstConflict(undefined, may, 'claimB')).to.equal(undefined);
  });

  it('stores day -> claim id with two-digit days', () => {
    const bucket = occupy(undefined, { month: '2026-06', firstDay: 1, lastDay: 3 }, 'c');
    expect(bucket).to.deep.equal({ '01': 'c', '02': 'c', '03': 'c' });
  });

  it('frees only the days the claim held, and nothing is left for an empty bucket', () => {
    const first = occupy(undefined, { month: '2026-05', firstDay: 1, lastDay: 10 }, 'claimA');
    const both = occupy(first, { month: '2026-05', firstDay: 11, lastDay: 20 }, 'claimB');
    expect(release(both, may, 'claimA')).to.deep.equal(occupy(undefined, { month: '2026-05', firstDay: 11, lastDay: 20 }, 'claimB'));
    expect(release(first, may, 'claimA')).to.equal(undefined);
    expect(firstConflict(release(both, may, 'claimA'), { month: '2026-05', firstDay: 1, lastDay: 10 }, 'claimC')).to.equal(undefined);
  });

  it('reports the chronologically first conflict across months', () => {
    const slices = monthSlices(parseIsoDate('2026-04-20', 's'), parseIsoDate('2026-06-05', 'e'));
    const buckets = [undefined, occupy(undefined, { month: '2026-05', firstDay: 7, lastDay: 9 }, 'x'), occupy(undefined, { month: '2026-06', firstDay: 1, lastDay: 1 }, 'y')];
    expect(findConflict(buckets, slices, 'new')).to.deep.equal({ conflictingClaimId: 'x', day: '2026-05-07' });
    expect(doubleCounting({ conflictingClaimId: 'x', day: '2026-05-07' }, 'cat').details).to.deep.equal({ conflictingClaimId: 'x', day: '2026-05-07', category: 'cat' });
  });

  it('detects a day the claim no longer holds', () => {
    const slices = [{ month: '2026-05', firstDay: 1, lastDay: 2 }];
    expect(findLostDay([occupy(undefined, slices[0]!, 'a')], slices, 'a')).to.equal(undefined);
    expect(findLostDay([{ '01': 'a', '02': 'b' }], slices, 'a')).to.deep.equal({ conflictingClaimId: 'b', day: '2026-05-02' });
    expect(findLostDay([undefined], slices, 'a')).to.deep.equal({ conflictingClaimId: 'none', day: '2026-05-01' });
  });
});
