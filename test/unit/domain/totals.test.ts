import '../../helpers/quiet-logs';
import { expect } from 'chai';
import { compactEntries, parseTotalsFilter, sumTotals, type TotalsEntry } from '@impact-ledger/chaincode/domain';
import { canonicalJson } from '@impact-ledger/chaincode';
import { expectCode } from '../../helpers/domain-fixtures';

function entry(pillar: 'A' | 'B' | 'C', unit: string, protocolId: string, issued: number, retired = 0, protocolVersion = 1): TotalsEntry {
  return { pillar, unit, protocolId, protocolVersion, issued, retired };
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

  it('compacts entries into one snapshot per protocol version without changing the sums', () => {
    const bucket = entries.filter((e) => e.pillar === 'B' && e.unit === 'gCO2e');
    const snapshots = compactEntries(bucket);
    expect(snapshots).to.deep.equal([entry('B', 'gCO2e', 'commute', 9000, 1000), entry('B', 'gCO2e', 'heat', 100, 0, 2)]);
    expect(sumTotals(snapshots, {})).to.deep.equal(sumTotals(bucket, {}));
  });

  it('parses the filter', () => {
    expect(parseTotalsFilter('')).to.deep.equal({});
    expect(parseTotalsFilter('{"pillar":"B","unit":"gCO2e"}')).to.deep.equal({ pillar: 'B', unit: 'gCO2e' });
    for (const bad of ['{"pillar":"AB"}', '{"unit":"g"}', '{"protocolVersion":1}', '{"sum":"all"}', 'x']) expectCode(() => parseTotalsFilter(bad), 'INVALID_ARGUMENT');
  });
});

describe('canonical JSON', () => {
  it('sorts keys recursively and drops undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).to.equal('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });
});
