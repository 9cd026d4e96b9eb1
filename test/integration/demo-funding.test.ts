/**
 * The funders' part of what `npm start` seeds: org 1's funder runs the demo mobility campaign and
 * the demo proof of commuter 5 is settled against it; the export and the dashboard are served.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { currentNetwork } from '../helpers/network';

interface GatewayEntry { mspId: string; url: string; tokens: Record<string, string> }

describe('the demo campaign that npm start seeds', function () {
  this.timeout(60_000);

  it("is org 1's funder's campaign on the demo protocol, with the demo proof settled, exported and shown", async () => {
    const home = currentNetwork().home;
    const [g1, g3] = ((gateways: GatewayEntry[]) => [gateways[0], gateways[2]])(JSON.parse(readFileSync(path.join(home, 'gateway', 'gateways.json'), 'utf8')) as GatewayEntry[]);
    if (!g1 || !g3) throw new Error('gateways.json lists fewer than three gateways');
    const get = async (gateway: GatewayEntry, route: string) => {
      const response = await fetch(`${gateway.url}${route}`, { headers: { authorization: `Bearer ${gateway.tokens.User5 ?? ''}` } });
      expect(response.status, route).to.equal(200);
      return response;
    };
    const { campaign, progress } = (await (await get(g3, '/v1/campaigns/demo-mobility-allowance')).json()) as {
      campaign: { funder: string; protocols: string[]; status: string }; progress: { settled: number; settlements: number; heldInBuffer: number };
    };
    expect(campaign.funder).to.match(/^Org1MSP::.*CN=User5@org1/);
    expect(campaign.protocols).to.deep.equal(['commute-modal-shift']);
    expect(progress.settlements).to.be.at.least(1);
    // 188 km x 218 gCO2e/km at 1.00 EUR per kg, 10 % held
    expect(progress.settled).to.be.at.least(4098);
    const csv = await (await get(g1, '/v1/campaigns/demo-mobility-allowance/export.csv?period=2026-03')).text();
    expect(csv.split('\r\n')[1]).to.match(/^2026-03,demo-mobility-allowance,[0-9a-f]{64},commute-modal-shift,gCO2e,40984,1,EUR,4098,409,3689,36\.89$/);
    const page = await fetch(`${g1.url}/dashboard/`);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.contain('funder dashboard');
  });
});
