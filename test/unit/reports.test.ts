import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { attributionFactor, campaignExportCsv, campaignExportLines, carbonResult, dataQuality, formatMinor, inputsHash, pcafReport, ReportInputError, type CarbonResultInputs } from '@impact-ledger/gateway';

const d = (value: number, source = 'seed example, docs/domain.md') => ({ value, source });

/** The seed's steel example: 100 kt at 1.8 t/t, then 112 kt at 1.7 t/t (tonnes, kgCO2e per tonne). */
const steel: CarbonResultInputs = { label: 'steel maker', quantityBefore: d(100_000), quantityAfter: d(112_000), factorBefore: d(1800), factorAfter: d(1700) };

describe('reports: carbon result of a financing', () => {
  it('the steel example: clients -20 kt, producers +10 kt (exactly -20.4 and +10.0 kt), the parts sum to the change of content', () => {
    const r = carbonResult(steel);
    expect(Math.round(r.clientPartKg / 1e6)).to.equal(-20);
    expect(Math.round(r.producerPartKg / 1e6)).to.equal(10);
    expect([r.clientPartKg, r.producerPartKg]).to.deep.equal([-20_400_000, 10_000_000]);
    expect(r.contentBeforeKg).to.equal(180_000_000);
    expect(r.contentAfterKg).to.equal(190_400_000);
    expect(r.totalKg).to.equal(-(r.contentAfterKg - r.contentBeforeKg));
  });

  it('adds the market-share term, discounts to a present value and passes through pro rata', () => {
    const r = carbonResult({
      ...steel,
      marketShare: { shareBefore: d(1000), shareAfter: d(1200), marketQuantity: d(1_000_000), marketFactor: d(2000) },
      discount: { rateBps: d(300), years: d(2) },
      totalFinancing: d(1_000_000_00), funders: [{ name: 'bank A', financed: d(250_000_00) }, { name: 'fund B', financed: d(100_000_00) }],
    });
    // +2 points of a 1 Mt market with a product 300 kg/t cleaner than the market: 6 kt avoided
    expect(r.marketPartKg).to.equal(6_000_000);
    expect(r.totalKg).to.equal(-20_400_000 + 10_000_000 + 6_000_000);
    expect(r.presentValueKg).to.equal(Math.round(r.totalKg / 1.03 ** 2));
    expect(r.passThrough.map((p) => [p.name, p.share, p.clientPartKg, p.producerPartKg, p.marketPartKg])).to.deep.equal([
      ['bank A', 0.25, -5_100_000, 2_500_000, 1_500_000], ['fund B', 0.1, -2_040_000, 1_000_000, 600_000],
    ]);
  });

  it('hashes the declared inputs canonically: key order does not matter, any figure or source does', () => {
    const r = carbonResult(steel);
    expect(r.inputsSha256).to.match(/^[0-9a-f]{64}$/);
    const reordered = { factorAfter: d(1700), factorBefore: d(1800), quantityAfter: d(112_000), quantityBefore: d(100_000), label: 'steel maker' };
    expect(carbonResult(reordered).inputsSha256).to.equal(r.inputsSha256);
    expect(carbonResult({ ...steel, factorAfter: d(1700, 'another report') }).inputsSha256).to.not.equal(r.inputsSha256);
    expect(inputsHash({ b: 1, a: 2 })).to.equal(inputsHash({ a: 2, b: 1 }));
  });

  it('refuses funders who financed more than the total', () => {
    expect(() => carbonResult({ ...steel, totalFinancing: d(10), funders: [{ name: 'x', financed: d(11) }] })).to.throw(ReportInputError);
  });
});

describe('reports: PCAF attribution and data quality', () => {
  it('attribution factor = outstanding / EVIC; financed emissions = factor x emissions', () => {
    expect(attributionFactor(25, 100)).to.equal(0.25);
    expect(() => attributionFactor(1, 0)).to.throw(ReportInputError);
    expect(() => attributionFactor(101, 100)).to.throw(ReportInputError);
  });

  it('scores the three calculation options 1-5 and names them with their uncertainty', () => {
    expect(dataQuality({ option: 'own-footprint', verified: true })).to.deep.equal({ score: 1, uncertainty: 'low' });
    expect(dataQuality({ option: 'own-footprint' })).to.deep.equal({ score: 2, uncertainty: 'low' });
    expect(dataQuality({ option: 'hybrid' })).to.deep.equal({ score: 3, uncertainty: 'medium' });
    expect(dataQuality({ option: 'sector-model', sectorBasis: 'revenue' })).to.deep.equal({ score: 4, uncertainty: 'high' });
    expect(dataQuality({ option: 'sector-model', sectorBasis: 'asset' })).to.deep.equal({ score: 5, uncertainty: 'high' });
    const report = pcafReport([
      { name: 'steel maker', outstanding: d(250), evic: d(1000), emissionsKg: d(190_400_000), option: 'own-footprint', verified: true },
      { name: 'bike shop', outstanding: d(750), evic: d(1500), emissionsKg: d(10_000), option: 'sector-model', sectorBasis: 'revenue' },
    ]);
    expect(report.holdings.map((h) => [h.attributionFactor, h.dataQualityScore, h.uncertainty, h.financedEmissionsKg])).to.deep.equal([
      [0.25, 1, 'low', 47_600_000], [0.5, 4, 'high', 5000],
    ]);
    expect(report.holdings[0]?.optionName).to.match(/own footprint/);
    expect(report.holdings[1]?.optionName).to.match(/sector model/);
    expect(report.weightedDataQualityScore).to.equal(3.25);
    expect(report.financedEmissionsKg).to.equal(47_605_000);
  });
});

describe('reports: campaign CSV export', () => {
  const row = (producer: string, start: string, quantity: number, amount: number, held: number) => ({
    campaignId: 'c1', producerPseudonym: producer, protocolId: 'commute-modal-shift', unit: 'gCO2e', quantity, currency: 'EUR', amount, held,
    vintage: { start, end: start },
  });

  it('one row per producer pseudonym for the month, RFC 4180 with CRLF, amounts owed after the buffer', () => {
    const csv = campaignExportCsv([row('p2', '2026-03-02', 10, 1000, 100), row('p1', '2026-03-05', 5, 505, 50), row('p2', '2026-03-20', 1, 100, 10), row('p1', '2026-04-01', 9, 9, 0)], '2026-03', false);
    expect(csv.split('\r\n')[0]).to.equal('period,campaign_id,producer_pseudonym,protocol_id,unit,quantity,proofs,currency,amount_minor,held_minor,payable_minor,payable');
    expect(csv.endsWith('\r\n')).to.equal(true);
    const records = parse(csv, { columns: true }) as Record<string, string>[];
    expect(records.map((r) => [r.producer_pseudonym, r.quantity, r.proofs, r.amount_minor, r.held_minor, r.payable_minor, r.payable])).to.deep.equal([
      ['p1', '5', '1', '505', '50', '455', '4.55'], ['p2', '11', '2', '1100', '110', '990', '9.90'],
    ]);
    const closed = parse(campaignExportCsv([row('p1', '2026-03-05', 5, 505, 50)], '2026-03', true), { columns: true }) as Record<string, string>[];
    expect(closed[0]).to.include({ held_minor: '0', payable_minor: '505' });
  });

  it('streams the same CSV line by line from settlements in row order, holding one group at a time', async () => {
    const rows = [row('p2', '2026-03-02', 10, 1000, 100), row('p1', '2026-03-05', 5, 505, 50), row('p2', '2026-03-20', 1, 100, 10)];
    const sorted = [rows[1], rows[0], rows[2]].filter((r) => r !== undefined);
    let read = 0;
    async function* pages(): AsyncGenerator<ReturnType<typeof row>> {
      for (const r of sorted) {
        read += 1;
        yield r;
      }
    }
    const lines: string[] = [];
    for await (const line of campaignExportLines(pages(), '2026-03', false)) {
      lines.push(line);
      if (lines.length === 2) expect(read, 'the first group is out before the last settlement is read').to.be.below(sorted.length);
    }
    expect(lines.join('')).to.equal(campaignExportCsv(rows, '2026-03', false));
    async function* unordered(): AsyncGenerator<ReturnType<typeof row>> {
      yield* rows;
    }
    let error: unknown;
    try {
      for await (const line of campaignExportLines(unordered(), '2026-03', false)) void line;
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).to.match(/out of row order/);
  });

  it('quotes fields that need it and formats minor units', () => {
    const csv = campaignExportCsv([{ ...row('p"1,x', '2026-03-05', 5, 5, 0) }], '2026-03', false);
    expect(csv).to.contain('"p""1,x"');
    expect([formatMinor(5), formatMinor(123456), formatMinor(0)]).to.deep.equal(['0.05', '1234.56', '0.00']);
  });
});
