import { expect } from 'chai';
import { civilDate, daysInclusive, epochDay, isoTimestamp, monthSlices, parseIsoDate } from '@impact-ledger/chaincode/domain';
import { expectCode } from '../../helpers/domain-fixtures';

describe('calendar arithmetic without Date', () => {
  it('agrees with Date.UTC on every day from 1999 to 2101', function () {
    this.timeout(30_000); // 37,000 days: well under a second alone, longer on a loaded machine
    for (let day = epochDay({ year: 1999, month: 1, day: 1 }); day < epochDay({ year: 2101, month: 1, day: 1 }); day += 1) {
      const date = new Date(day * 86_400_000);
      const civil = civilDate(day);
      expect([civil.year, civil.month, civil.day]).to.deep.equal([date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()]);
      expect(epochDay(civil)).to.equal(day);
    }
  });

  it('formats transaction timestamps like toISOString', () => {
    for (const seconds of [0, 1_775_030_400, 1_709_164_799, 4_102_444_800]) {
      expect(isoTimestamp(seconds, 987_654_321)).to.equal(new Date(seconds * 1000 + 987).toISOString());
    }
  });

  it('parses only real calendar dates', () => {
    expect(parseIsoDate('2024-02-29', 'd')).to.deep.equal({ year: 2024, month: 2, day: 29 });
    for (const bad of ['2026-02-29', '2026-13-01', '2026-00-10', '2026-1-01', '26-01-01', '2026-01-01T00:00:00Z', 20260101]) {
      expectCode(() => parseIsoDate(bad, 'periodStart'), 'INVALID_ARGUMENT');
    }
  });

  it('slices a period into months (a leap year of 366 days touches 13 months at most)', () => {
    const slices = monthSlices(parseIsoDate('2024-01-15', 's'), parseIsoDate('2025-01-14', 'e'));
    expect(daysInclusive(parseIsoDate('2024-01-15', 's'), parseIsoDate('2025-01-14', 'e'))).to.equal(366);
    expect(slices).to.have.length(13);
    expect(slices[0]).to.deep.equal({ month: '2024-01', firstDay: 15, lastDay: 31 });
    expect(slices[1]).to.deep.equal({ month: '2024-02', firstDay: 1, lastDay: 29 });
    expect(slices[12]).to.deep.equal({ month: '2025-01', firstDay: 1, lastDay: 14 });
    expect(monthSlices(parseIsoDate('2026-05-31', 's'), parseIsoDate('2026-05-31', 'e'))).to.deep.equal([{ month: '2026-05', firstDay: 31, lastDay: 31 }]);
  });
});
