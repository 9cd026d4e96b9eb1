import { expect } from 'chai';
import {
  campaignProgress, closeCampaign, drawFromShards, initialShards, openCampaign, parseCampaignDefinition, pinProtocolVersions, rebudget, settlementAmount, shardOrder,
  startShard, type BudgetShard, type Campaign, type Settlement,
} from '@impact-ledger/chaincode/domain';
import { callerOf, expectCode, stamp } from '../../helpers/domain-fixtures';

const funder = callerOf('Org1MSP', 'User5@org1');
const definition = (overrides: Record<string, unknown> = {}) => JSON.stringify({
  id: 'c1', name: 'C1', protocols: ['commute'], currency: 'EUR', budget: 1003, pricePerUnit: 3, bufferBps: 2500,
  criteria: { periodStart: '2026-01-01', periodEnd: '2026-12-31' }, shards: 4, ...overrides,
});
const campaign: Campaign = openCampaign(parseCampaignDefinition(definition()), funder, stamp(funder));

describe('campaign rules', () => {
  it('parses a definition with defaults and refuses bad fields with INVALID_ARGUMENT', () => {
    expect(campaign).to.include({ status: 'open', funder: funder.identity, pricePer: 1, shards: 4 });
    expect(campaign.criteria).to.deep.equal({ minProofLevel: 'declared', periodStart: '2026-01-01', periodEnd: '2026-12-31', msps: [], protocolVersions: {} });
    for (const bad of [{ budget: 0 }, { budget: 1.5 }, { bufferBps: 10_001 }, { shards: 65 }, { currency: 'eur' }, { protocols: [] }, { extra: 1 },
      { criteria: { periodStart: '2026-02-01', periodEnd: '2026-01-01' } },
      { criteria: { periodStart: '2026-01-01', periodEnd: '2026-12-31', protocolVersions: { other: [1] } } },
      { criteria: { periodStart: '2026-01-01', periodEnd: '2026-12-31', protocolVersions: { commute: [] } } },
      { criteria: { periodStart: '2026-01-01', periodEnd: '2026-12-31', protocolVersions: { commute: [0] } } },
      { criteria: { periodStart: '2026-01-01', periodEnd: '2026-12-31', protocolVersions: { commute: [1, 1] } } }]) {
      expectCode(() => parseCampaignDefinition(definition(bad)), 'INVALID_ARGUMENT');
    }
  });

  it('settles manually unless the definition asks for automatic settlement (settlementMode)', () => {
    expect(campaign.settlementMode).to.equal('manual');
    expect(parseCampaignDefinition(definition({ settlementMode: 'automatic' })).settlementMode).to.equal('automatic');
    for (const bad of ['auto', '', 1, null]) expectCode(() => parseCampaignDefinition(definition({ settlementMode: bad })), 'INVALID_ARGUMENT');
  });

  it('pins protocols named without versions to the versions registered at opening; keeps versions named explicitly', () => {
    const named = parseCampaignDefinition(definition({ protocols: ['commute', 'solar'], criteria: { periodStart: '2026-01-01', periodEnd: '2026-12-31', protocolVersions: { solar: [3, 2] } } }));
    expect(pinProtocolVersions(named, { commute: [2, 1], solar: [1, 2, 3] }).criteria.protocolVersions).to.deep.equal({ commute: [1, 2], solar: [2, 3] });
    expectCode(() => pinProtocolVersions(named, { solar: [1] }), 'NOT_FOUND');
  });

  it('splits the budget into tranches that sum exactly to it', () => {
    const shards = initialShards(campaign);
    expect(shards.map((s) => s.allowance)).to.deep.equal([251, 251, 251, 250]);
  });

  it('starts each proof at a deterministic tranche and visits every tranche once', () => {
    const id = 'a'.repeat(64);
    expect(startShard(id, 8)).to.equal(startShard(id, 8));
    expect([...shardOrder(id, 8)].sort()).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
    const hits = new Set(Array.from({ length: 64 }, (_, i) => startShard(i.toString(16).padStart(64, '0'), 8)));
    expect(hits.size, 'start tranches spread over all tranches').to.equal(8);
  });

  it('draws across tranches up to their allowance, splits the buffer, and refuses beyond (BUDGET_EXCEEDED)', () => {
    const shards = initialShards(campaign);
    const { draws, shards: after } = drawFromShards(shards, 400, 100);
    expect(draws).to.deep.equal([{ index: 0, amount: 251 }, { index: 1, amount: 149 }]);
    expect(after.map((s) => [s.settled, s.held])).to.deep.equal([[251, 100], [149, 0]]);
    expectCode(() => drawFromShards(shards, 1004, 0), 'BUDGET_EXCEEDED');
  });

  it('prices and holds back the buffer in whole minor units, rounded down', () => {
    expect(settlementAmount(campaign, 10)).to.deep.equal({ amount: 30, held: 7 });
    expect(settlementAmount({ ...campaign, pricePerUnit: 100, pricePer: 1000 }, 40_984)).to.deep.equal({ amount: 4098, held: 1024 });
    expectCode(() => settlementAmount(campaign, Number.MAX_SAFE_INTEGER), 'QUANTITY_OVERFLOW');
  });

  it('re-budgets: each tranche keeps what it settled; never below the settled total', () => {
    const shards: BudgetShard[] = initialShards(campaign).map((s, i) => ({ ...s, settled: i === 0 ? 200 : 0 }));
    const raised = rebudget(campaign, shards, 2000, stamp(funder, 2));
    expect(raised.shards.reduce((sum, s) => sum + s.allowance, 0)).to.equal(2000);
    expect(raised.shards[0]?.allowance).to.equal(650);
    expectCode(() => rebudget(campaign, shards, 199, stamp(funder, 2)), 'BUDGET_BELOW_SETTLED');
  });

  it('reports progress per pillar and unit and per SDG target, never across pillars; the buffer is released at close', () => {
    const s = (pillar: string, unit: string, quantity: number, sdgTargets: string[]) => ({ pillar, unit, quantity, sdgTargets } as unknown as Settlement);
    const shards = initialShards(campaign).map((x, i) => (i === 0 ? { ...x, settled: 90, held: 20 } : x));
    const settlements = [s('B', 'gCO2e', 10, ['11.2']), s('A', 'gCO2e', 5, ['11.2']), s('B', 'gCO2e', 15, ['11.2', '13.2'])];
    const open = campaignProgress(campaign, shards, settlements);
    expect(open).to.include({ settled: 90, heldInBuffer: 20, released: 0, payable: 70, remaining: 913, settlements: 3 });
    expect(open.impact).to.deep.equal([{ pillar: 'A', unit: 'gCO2e', quantity: 5, proofs: 1 }, { pillar: 'B', unit: 'gCO2e', quantity: 25, proofs: 2 }]);
    expect(open.sdg.map((l) => [l.sdgTarget, l.pillar, l.quantity])).to.deep.equal([['11.2', 'A', 5], ['11.2', 'B', 25], ['13.2', 'B', 15]]);
    const closed = campaignProgress(closeCampaign(campaign, stamp(funder, 3)), shards, settlements);
    expect(closed).to.include({ heldInBuffer: 0, released: 20, payable: 90 });
    expectCode(() => closeCampaign(closeCampaign(campaign, stamp(funder, 3)), stamp(funder, 4)), 'CAMPAIGN_CLOSED');
  });
});
