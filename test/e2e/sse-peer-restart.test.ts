/**
 * The gateway's event feed recovers by itself when the peer it listens to restarts: an SSE
 * client that stays connected receives the events committed after the restart, with no gap and
 * no duplicate.
 */
import { expect } from 'chai';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
import { networkScript } from '../helpers/network';
import type { Committed } from './scenario';

describe('e2e: events across a peer restart', function () {
  this.timeout(240_000);
  let world: GatewayWorld;

  before(async () => {
    world = await getGatewayWorld();
  });

  async function toggleRole(): Promise<string[]> {
    const admin = world.client(1, 'Admin');
    const identity = world.identity(1, 'User3');
    const granted = await admin.json<Committed>('POST', '/v1/roles', { identity, role: 'funder' }, 201);
    const revoked = await admin.json<Committed>('DELETE', `/v1/roles/${encodeURIComponent(identity)}/funder`, undefined, 200);
    return [granted.txId, revoked.txId];
  }

  it('keeps an SSE stream of org 2 going through a restart of peer0.org2', async () => {
    const reader = world.client(2, 'User5');
    let expected: string[] = [];
    const live = reader.events({ until: (events) => expected.length > 0 && expected.every((tx) => events.some((e) => e.data.txId === tx)), timeoutMs: 120_000 });
    await networkScript(world.net, 'stop-node', 'peer0.org2');
    await networkScript(world.net, 'start-node', 'peer0.org2');
    expected = await toggleRole();
    const seen = await live;
    expect(seen.map((e) => e.data.txId)).to.include.members(expected);
    expect(new Set(seen.map((e) => e.id)).size).to.equal(seen.length);
    const ready = await reader.anonymous().request('GET', '/ready');
    expect(ready.status).to.equal(200);
  });
});
