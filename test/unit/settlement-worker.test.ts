import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ApiError, campaignsFor, readCheckpoint, refusalOutcome, startSettlementWorker, type EventFeed, type EventPosition, type FeedEvent, type FeedReader, type ImpactChaincode, type WorkerOutcome,
} from '@impact-ledger/gateway';
import type { Campaign, ProofOfImpact } from '@impact-ledger/chaincode/facts';

const FUNDER = 'x509::/CN=User5::/CN=ca';

function campaign(overrides: Partial<Campaign> = {}): Campaign {
  return {
    id: 'auto', name: 'auto', protocols: ['commute'], currency: 'EUR', budget: 1000, pricePerUnit: 1, pricePer: 1, bufferBps: 0, shards: 1, settlementMode: 'automatic',
    criteria: { minProofLevel: 'declared', periodStart: '2025-01-01', periodEnd: '2025-12-31', msps: [], protocolVersions: { commute: [1] } },
    funder: FUNDER, funderMsp: 'Org1MSP', status: 'open', txId: 't', timestamp: '2025-06-01T00:00:00.000Z', updatedTxId: 't', updatedAt: '2025-06-01T00:00:00.000Z', ...overrides,
  };
}

const proofAt = (issuedAt: string) => ({ protocolId: 'commute', protocolVersion: 1, issuedAt });

/** An event feed over a list that grows (what the gateway's journal feed offers). */
class ListFeed implements EventFeed {
  readonly events: FeedEvent[] = [];
  readonly #waiting = new Set<() => void>();
  start(): void {}
  position(): EventPosition | undefined { return this.events[this.events.length - 1]; }
  close(): void {}
  follow(after: EventPosition | 'start' | 'now'): FeedReader {
    let cursor = after === 'start' ? undefined : after === 'now' ? this.position() : after;
    const state = { closed: false, wake: undefined as (() => void) | undefined };
    const events = this.events;
    const waiting = this.#waiting;
    return {
      async *[Symbol.asyncIterator]() {
        while (!state.closed) {
          const from = cursor;
          const next = events.find((e) => from === undefined || e.block > from.block || (e.block === from.block && e.index > from.index));
          if (next !== undefined) {
            yield next;
            cursor = next;
            continue;
          }
          await new Promise<void>((resolve) => { state.wake = resolve; waiting.add(resolve); });
        }
      },
      close: () => { state.closed = true; state.wake?.(); },
    };
  }
  issue(block: number, proofId: string): void {
    const event: FeedEvent = { id: `${block}:0`, block, index: 0, name: 'ProofIssued', txId: `tx${block}`, payload: { proofId } };
    this.events.push(event);
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const resolve of waiting) resolve();
  }
}

/** The chaincode as the worker sees it: settle refuses a second settlement like the per-proof marker does. */
function fakeChaincode(settled: Map<string, number>, campaigns: Campaign[], failures: { transient: number }): ImpactChaincode {
  const proof = (id: string) => ({ id, protocolId: 'commute', protocolVersion: 1, issuedAt: '2025-07-01T00:00:00.000Z' }) as unknown as ProofOfImpact;
  const chaincode = {
    roles: { whoAmI: async () => ({ identity: FUNDER, mspId: 'Org1MSP', operator: false, roles: ['funder'] }) },
    proofs: { get: async (id: string) => proof(id) },
    campaigns: {
      list: async () => ({ records: campaigns, bookmark: '', fetchedRecordsCount: campaigns.length }),
      settle: async (campaignId: string, proofId: string) => {
        if (failures.transient > 0) {
          failures.transient--;
          throw new ApiError(409, 'MVCC_CONFLICT', 'conflict');
        }
        if (settled.has(proofId)) throw new ApiError(409, 'ALREADY_SETTLED', `proof ${proofId} was settled by campaign ${campaignId}`);
        settled.set(proofId, (settled.get(proofId) ?? 0) + 1);
        return { result: { amount: 1 }, txId: `settle-${proofId}`, blockNumber: 1 };
      },
    },
  };
  return chaincode as unknown as ImpactChaincode;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('settlement worker', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'il-worker-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const quiet = { info: () => undefined, warn: () => undefined };
  const id = (n: number) => n.toString(16).padStart(64, '0');

  it('offers a proof to the funder\'s open automatic campaigns that pay for it and opened before it was issued, by id', () => {
    const all = [campaign({ id: 'b' }), campaign({ id: 'a' }), campaign({ id: 'manual', settlementMode: 'manual' }), campaign({ id: 'old' }),
      campaign({ id: 'closed', status: 'closed' }), campaign({ id: 'other', funder: 'someone' }), campaign({ id: 'v2', criteria: { ...campaign().criteria, protocolVersions: { commute: [2] } } }),
      campaign({ id: 'later', timestamp: '2025-08-01T00:00:00.000Z' })];
    delete (all[3] as { settlementMode?: string }).settlementMode; // stored before the mode existed: manual
    expect(campaignsFor(proofAt('2025-07-01T00:00:00.000Z'), all, FUNDER).map((c) => c.id)).to.deep.equal(['a', 'b']);
  });

  it('classifies refusals: settled already, try the next campaign, or retry the event', () => {
    expect(refusalOutcome('ALREADY_SETTLED')).to.equal('settled');
    expect(['NOT_ELIGIBLE', 'BUDGET_EXCEEDED', 'CAMPAIGN_CLOSED'].map(refusalOutcome)).to.deep.equal(['next', 'next', 'next']);
    expect(['MVCC_CONFLICT', 'FABRIC_UNAVAILABLE', undefined].map(refusalOutcome)).to.deep.equal(['retry', 'retry', 'retry']);
    // the event's proof exists: an endorsing peer that has not received its block yet answers NOT_FOUND (seen on the e2e network)
    expect(refusalOutcome('NOT_FOUND')).to.equal('retry');
  });

  it('settles each proof as it is issued, retries transient failures, and resumes after a crash without settling twice or missing one', async () => {
    const feed = new ListFeed();
    const settled = new Map<string, number>();
    const failures = { transient: 2 };
    const outcomes: WorkerOutcome[] = [];
    const options = { feed, dataDir: dir, logger: quiet, retryDelayMs: 1, onOutcome: (o: WorkerOutcome) => outcomes.push(o) };
    feed.issue(1, id(1));
    let worker = startSettlementWorker({ ...options, chaincode: fakeChaincode(settled, [campaign()], failures) });
    feed.issue(2, id(2));
    feed.issue(3, id(3));
    await until(() => worker.checkpoint()?.block === 3);
    await worker.close();
    expect([...settled.values()]).to.deep.equal([1, 1, 1]);
    expect(readCheckpoint(dir)).to.deep.equal({ block: 3, index: 0 });
    // a crash after proofs 2 and 3 were committed but before their checkpoints were written
    writeFileSync(path.join(dir, 'settlement-worker.json'), JSON.stringify({ block: 1, index: 0 }));
    feed.issue(4, id(4)); // issued while the worker is down
    outcomes.length = 0;
    worker = startSettlementWorker({ ...options, chaincode: fakeChaincode(settled, [campaign()], failures) });
    feed.issue(5, id(5));
    await until(() => worker.checkpoint()?.block === 5);
    await worker.close();
    expect(outcomes.map((o) => [o.proofId, o.result])).to.deep.equal([[id(2), 'already'], [id(3), 'already'], [id(4), 'settled'], [id(5), 'settled']]);
    expect([...settled.entries()].sort()).to.deep.equal([1, 2, 3, 4, 5].map((n) => [id(n), 1]));
  });

  it('settles without an outcome listener (the gateway starts it without one)', async () => {
    const feed = new ListFeed();
    const settled = new Map<string, number>();
    feed.issue(1, id(1));
    const worker = startSettlementWorker({ feed, dataDir: dir, logger: quiet, chaincode: fakeChaincode(settled, [campaign()], { transient: 0 }) });
    await until(() => worker.checkpoint()?.block === 1);
    await worker.close();
    expect([...settled.keys()]).to.deep.equal([id(1)]);
  });

  it('moves on when no campaign takes the proof (no automatic campaign, or refused by all)', async () => {
    const feed = new ListFeed();
    const outcomes: WorkerOutcome[] = [];
    feed.issue(1, id(1));
    const worker = startSettlementWorker({ feed, dataDir: dir, logger: quiet, chaincode: fakeChaincode(new Map(), [campaign({ settlementMode: 'manual' })], { transient: 0 }), onOutcome: (o) => outcomes.push(o) });
    await until(() => worker.checkpoint()?.block === 1);
    await worker.close();
    expect(outcomes).to.deep.equal([{ proofId: id(1), result: 'skipped' }]);
  });
});
