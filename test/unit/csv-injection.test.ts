/**
 * CSV formula injection: every CSV the gateway writes goes through one writer that neutralises
 * free-text cells a spreadsheet would run as a formula (OWASP: a leading = + - @ TAB CR gets a
 * single quote in front), while numbers, negative ones included, stay numbers. And a protocol's
 * `unit` (free text that reaches the campaign export) is restricted to a strict pattern, in the
 * chaincode (INVALID_UNIT) and mirrored in the gateway's request schema (400).
 */
import { newProtocolDefinition, UNIT_PATTERN } from '@impact-ledger/chaincode/domain';
import { campaignExportCsv, csvCell, toCsv } from '@impact-ledger/gateway';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { buildCast, protocolDoc } from '../helpers/cast';
import { expectCode, protocolInput } from '../helpers/domain-fixtures';
import { fakeGateway, FAKE_TOKEN } from '../helpers/fake-gateway';

const FORMULAS = ['=2+5', '@SUM(1+1)', '+1+1', '-1+2', '\t=1+1', '\r=1+1', '=HYPERLINK("http://evil.example","x")', '-', '+'];

describe('CSV writer: formula cells neutralised', () => {
  it('prefixes a single quote to text cells starting with = + - @ TAB CR', () => {
    for (const formula of FORMULAS) expect(csvCell(formula), JSON.stringify(formula)).to.equal(`'${formula}`);
  });

  it('leaves other text, numbers (negative ones too) and plain signed decimals as they are', () => {
    expect(['gCO2e', 'a=b', ' =x', '', "'=x"].map(csvCell)).to.deep.equal(['gCO2e', 'a=b', ' =x', '', "'=x"]);
    expect([-5, 0, 12.5].map(csvCell)).to.deep.equal([-5, 0, 12.5]);
    expect(['-5', '-12.34', '+3', '0.05'].map(csvCell)).to.deep.equal(['-5', '-12.34', '+3', '0.05']);
  });

  it('toCsv applies it to every cell, RFC 4180 with CRLF', () => {
    const csv = toCsv([['a', 'b'], ['=1+1', -3]]);
    expect(csv).to.equal("a,b\r\n'=1+1,-3\r\n");
  });

  it('the campaign export neutralises a formula in the unit column (and any other text column)', () => {
    for (const unit of FORMULAS) {
      const csv = campaignExportCsv([{
        campaignId: '=c1', producerPseudonym: '@p1', protocolId: '+p', unit, quantity: 5, currency: 'EUR', amount: 500, held: 50,
        vintage: { start: '2026-03-05', end: '2026-03-05' },
      }], '2026-03', false);
      const [record] = parse(csv, { columns: true, relax_quotes: true }) as Record<string, string>[];
      expect(record?.unit, JSON.stringify(unit)).to.equal(`'${unit}`);
      expect(record).to.include({ campaign_id: "'=c1", producer_pseudonym: "'@p1", protocol_id: "'+p", quantity: '5', amount_minor: '500', payable: '4.50' });
    }
  });
});

describe('protocol unit: a strict pattern', () => {
  it('accepts units in use: gCO2e, kgCO2e/km, kWh, t, kgCO2e avoided, m², mg/m³, nmol/µL, % (share)', () => {
    for (const unit of ['gCO2e', 'kgCO2e/km', 'kWh', 't', 'kgCO2e avoided', 'm²', 'mg/m³', 'nmol/µL', 'pct (%)', 'tCO2e-eq.']) {
      expect(newProtocolDefinition(protocolInput({ unit })).unit).to.equal(unit);
      expect(UNIT_PATTERN.test(unit), unit).to.equal(true);
    }
  });

  it('refuses formulas, a leading non-letter, control characters and more than 32 characters: INVALID_UNIT naming unit', () => {
    for (const unit of [...FORMULAS, ' gCO2e', '2t', 'g\nCO2e', 'a'.repeat(33), 'g;CO2e', 'g,CO2e', 'g"x', '', 42]) {
      const error = expectCode(() => newProtocolDefinition(protocolInput({ unit })), 'INVALID_UNIT');
      expect(error.details?.field, JSON.stringify(unit)).to.equal('unit');
    }
  });

  it('protocols:Register (in-memory peer) refuses such a unit with INVALID_UNIT, writing nothing', async () => {
    const c = await buildCast();
    const before = new Map(c.net.world.entries);
    const outcome = await c.net.invoke(c.op1, 'protocols:Register', JSON.stringify(protocolDoc({ id: 'formula', unit: '=2+5', verifiers: [c.verA.identity], validators: [c.validator1.identity] })));
    expect(outcome.error?.code).to.equal('INVALID_UNIT');
    expect(outcome.error?.details?.field).to.equal('unit');
    expect(new Map(c.net.world.entries)).to.deep.equal(before);
  });

  it('the gateway refuses such a unit with 400 before the ledger is reached', async () => {
    const gateway = await fakeGateway();
    try {
      for (const unit of ['=2+5', '@SUM(1+1)']) {
        const response = await gateway.app.inject({
          method: 'POST', url: '/v1/protocols', payload: { ...protocolInput(), unit },
          headers: { authorization: `Bearer ${FAKE_TOKEN}` },
        });
        expect(response.statusCode, response.body).to.equal(400);
        expect(response.json()).to.include({ code: 'VALIDATION_FAILED' });
        expect(response.body).to.contain('/unit');
      }
      expect(gateway.calls).to.deep.equal([]);
    } finally {
      await gateway.app.close();
    }
  });
});
