import '../../helpers/quiet-logs';
import { expect } from 'chai';
import { foldIntoSnapshots, parseTotalsFilter, sumTotals, type TotalsEntry } from '@impact-ledger/chaincode/domain';
import { canonicalJson } from '@impact-ledger/chaincode';
import { expectCode } from '../../helpers/domain-fixtures';

function entry(pillar: 'A' | 'B' | 'C', unit: string, protocolId: string, issued: number, retired = 0, protocolVersion = 1, month = '2026-03', sdgTargets = ['11.2', '13.2']): TotalsEntry {
  return { pillar, unit, protocolId, protocolVersion, sdgTargets, month, issued, retired };
}

describe('totals per pillar and unit', () => {
  const entries = [entry('B', 'gCO2e', 'commute', 9000), entry('B', 'gCO2e', 'commute', 0, 1000), entry('A', 'gCO2e', 'boilers', 500), entry('B', 'gCO2e', 'heat', 100, 0, 2), entry('B', 'kWh', 'heat', 7)];

  it('never sums across pillars or units', () => {
    expect(sumTotals(entries, {})).to.deep.equal([
      { pillar: 'A', unit: 'gCO2e', issued: 500, retired: 0 },
      { pillar: 'B', unit: 'gCO2e', issued: 9100, retired: 1000 },
      { pillar: 'B', unit: 'kWh', issued: 7, retired: 0 },
    ]);
  });

  it('filters by pillar, unit and protocol', () => {
    expect(sumTotals(entries, { protocolId: 'heat' })).to.deep.equal([{ pillar: 'B', unit: 'gCO2e', issued: 100, retired: 0 }, { pillar: 'B', unit: 'kWh', issued: 7, retired: 0 }]);
    expect(sumTotals(entries, { pillar: 'A' })).to.deep.equal([{ pillar: 'A', unit: 'gCO2e', issued: 500, retired: 0 }]);
    expect(sumTotals(entries, { protocolId: 'heat', protocolVersion: 1 })).to.deep.equal([{ pillar: 'B', unit: 'kWh', issued: 7, retired: 0 }]);
  });

  it('refuses a sum that is no longer exact', () => {
    expectCode(() => sumTotals([entry('C', 'g', 'p', Number.MAX_SAFE_INTEGER), entry('C', 'g', 'p', 1)], {}), 'QUANTITY_OVERFLOW');
  });

  it('folds deltas into one snapshot per protocol version and month without changing the sums', () => {
    const bucket = [...entries.filter((e) => e.pillar === 'B' && e.unit === 'gCO2e'), entry('B', 'gCO2e', 'commute', 5, 0, 1, '2026-04')];
    const earlier = entry('B', 'gCO2e', 'commute', 1, 1);
    const updates = foldIntoSnapshots(bucket, (id, version, month) => (id === 'commute' && version === 1 && month === '2026-03' ? earlier : undefined));
    expect(updates.map((u) => u.entryId)).to.deep.equal(['snapshot:2026-03', 'snapshot:2026-04', 'snapshot:2026-03']);
    expect(updates.map((u) => u.entry)).to.deep.equal([
      entry('B', 'gCO2e', 'commute', 9001, 1001), entry('B', 'gCO2e', 'commute', 5, 0, 1, '2026-04'), entry('B', 'gCO2e', 'heat', 100, 0, 2),
    ]);
    expect(sumTotals(updates.map((u) => u.entry), {})).to.deep.equal(sumTotals([...bucket, earlier], {}));
  });

  it('groups by SDG target (UN order) and period, and filters by SDG and months', () => {
    const mixed = [entry('C', 'g', 'p', 1, 0, 1, '2025-12', ['13.2', '9.4']), entry('C', 'g', 'p', 2, 0, 1, '2026-01', ['9.4', '13.a'])];
    expect(sumTotals(mixed, { groupBy: ['sdg'] }).map((r) => [r.sdgTarget, r.issued])).to.deep.equal([['9.4', 3], ['13.2', 1], ['13.a', 2]]);
    expect(sumTotals(mixed, { groupBy: ['year'] }).map((r) => [r.period, r.issued])).to.deep.equal([['2025', 1], ['2026', 2]]);
    expect(sumTotals(mixed, { sdg: '13.a' }).map((r) => r.issued)).to.deep.equal([2]);
    expect(sumTotals(mixed, { from: '2026-01', to: '2026-01' }).map((r) => r.issued)).to.deep.equal([2]);
  });

  it('parses the filter', () => {
    expect(parseTotalsFilter('')).to.deep.equal({});
    expect(parseTotalsFilter('{"pillar":"B","unit":"gCO2e"}')).to.deep.equal({ pillar: 'B', unit: 'gCO2e' });
    expect(parseTotalsFilter('{"groupBy":["month","sdg"],"from":"2026-01","sdg":"13.2"}')).to.deep.equal({ groupBy: ['sdg', 'month'], from: '2026-01', sdg: '13.2' });
    for (const bad of ['{"pillar":"AB"}', '{"unit":"g"}', '{"protocolVersion":1}', '{"sum":"all"}', 'x', '{"groupBy":["pillar"]}',
      '{"groupBy":["sdg","sdg"]}', '{"groupBy":["month","year"]}', '{"from":"2026-13"}', '{"from":"2026-05","to":"2026-04"}', '{"sdg":"13"}']) expectCode(() => parseTotalsFilter(bad), 'INVALID_ARGUMENT');
  });
});

describe('canonical JSON', () => {
  it('sorts keys recursively and drops undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).to.equal('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });
});
