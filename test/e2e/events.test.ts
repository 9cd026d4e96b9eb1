/** Server-sent events: ids block:index in order, and Last-Event-ID resume with no gap and no duplicate. */
import { expect } from 'chai';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
import type { SseEvent } from '../helpers/gateway-http';
import { parseEventId } from '@impact-ledger/gateway';
import type { Committed } from './scenario';

function positionOf(event: SseEvent): [number, number] {
  const position = parseEventId(event.id);
  if (position === undefined) throw new Error(`bad event id ${event.id}`);
  return [position.block, position.index];
}

function ascending(events: SseEvent[]): boolean {
  return events.every((event, i) => {
    const previous = events[i - 1];
    if (previous === undefined) return true;
    const [b1, i1] = positionOf(previous);
    const [b2, i2] = positionOf(event);
    return b2 > b1 || (b2 === b1 && i2 > i1);
  });
}

describe('e2e: events (SSE)', function () {
  this.timeout(120_000);
  let world: GatewayWorld;

  before(async () => {
    world = await getGatewayWorld();
  });

  async function toggleRole(): Promise<string[]> {
    const admin = world.client(2, 'Admin');
    const identity = world.identity(2, 'User3');
    const granted = await admin.json<Committed>('POST', '/v1/roles', { identity, role: 'funder' }, 201);
    const revoked = await admin.json<Committed>('DELETE', `/v1/roles/${encodeURIComponent(identity)}/funder`, undefined, 200);
    return [granted.txId, revoked.txId];
  }

  it('resumes after Last-Event-ID with no gap and no duplicate', async () => {
    const reader = world.client(2, 'User5');
    const live = reader.events({ until: (events) => events.length >= 2, timeoutMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const firstTxs = await toggleRole();
    const seen = await live;
    expect(seen.map((e) => e.data.txId)).to.deep.equal(firstTxs);
    const laterTxs = await toggleRole();
    const resumed = await reader.events({ lastEventId: seen[0]?.id ?? '', until: (events) => events.length >= 3, timeoutMs: 30_000 });
    expect(resumed.map((e) => e.data.txId)).to.deep.equal([firstTxs[1], ...laterTxs]);
    const all = await reader.events({ from: 'start', until: (events) => events.some((e) => e.data.txId === laterTxs[1]), timeoutMs: 30_000 });
    expect(ascending(all)).to.equal(true);
    expect(new Set(all.map((e) => e.id)).size).to.equal(all.length);
    const after = all.slice(all.findIndex((e) => e.id === seen[0]?.id) + 1);
    expect(after.map((e) => e.id)).to.deep.equal(resumed.map((e) => e.id));
  });
});
