/**
 * The gateway's event feed keeps only the newest events in memory and serves an older backlog
 * from its journal (the soak found it holding every event), ends a torn line before appending,
 * and resumes from the journal's last event after a restart.
 */
import type { ChaincodeEvent, CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import { expect } from 'chai';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEventFeed, type EventFeed, type Ledger } from '@impact-ledger/gateway';

const quiet = { warn: () => undefined, info: () => undefined };

/** A ledger whose chaincode event stream holds one event per block, blocks 0..count-1. */
function ledgerWithEvents(count: number): Ledger {
  const fail = (): never => { throw new Error('not in the fake ledger'); };
  const chaincodeEvents = async (startBlock: bigint): Promise<CloseableAsyncIterable<ChaincodeEvent>> => {
    const events: ChaincodeEvent[] = [];
    for (let block = Number(startBlock); block < count; block++) {
      events.push({ blockNumber: BigInt(block), chaincodeName: 'cc', eventName: 'claim.submitted', transactionId: `tx-${block}`, payload: new TextEncoder().encode(JSON.stringify({ n: block })) });
    }
    return { async *[Symbol.asyncIterator]() { yield* events; }, close: () => undefined, [Symbol.dispose]: () => undefined };
  };
  return {
    channel: 'c', chaincode: 'cc', evaluate: fail, submit: fail, recover: fail, waitForBlock: fail, blockOf: fail, rawBlock: fail, ping: fail,
    chaincodeEvents, close: () => undefined,
  } as Ledger;
}

async function caughtUp(feed: EventFeed, lastBlock: number): Promise<void> {
  for (let i = 0; i < 200 && feed.position()?.block !== lastBlock; i++) await sleep(10);
  expect(feed.position()).to.deep.equal({ block: lastBlock, index: 0 });
}

describe('gateway event feed', () => {
  it('keeps the newest events in memory and reads an older backlog from its journal', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'il-feed-'));
    const feed = createEventFeed(ledgerWithEvents(23), dir, quiet, { recent: 5 });
    feed.start();
    await caughtUp(feed, 22);
    const blocks = (after: Parameters<EventFeed['subscribe']>[0]) => {
      const subscription = feed.subscribe(after, () => undefined);
      subscription.unsubscribe();
      return subscription.backlog.map((e) => e.block);
    };
    expect(blocks('start')).to.deep.equal(Array.from({ length: 23 }, (_, i) => i));
    expect(blocks({ block: 20, index: 0 })).to.deep.equal([21, 22]);
    expect(blocks({ block: 3, index: 0 })).to.deep.equal(Array.from({ length: 19 }, (_, i) => i + 4));
    expect(blocks('now')).to.deep.equal([]);
    feed.close();
  });

  it('resumes after its last journaled event and keeps records whole after a torn line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'il-feed-'));
    const first = createEventFeed(ledgerWithEvents(4), dir, quiet, { recent: 2 });
    first.start();
    await caughtUp(first, 3);
    first.close();
    appendFileSync(path.join(dir, 'events.jsonl'), '{"id":"4:0","blo');
    const second = createEventFeed(ledgerWithEvents(7), dir, quiet, { recent: 2 });
    expect(second.position()).to.deep.equal({ block: 3, index: 0 });
    second.start();
    await caughtUp(second, 6);
    const subscription = second.subscribe('start', () => undefined);
    expect(subscription.backlog.map((e) => e.id)).to.deep.equal(['0:0', '1:0', '2:0', '3:0', '4:0', '5:0', '6:0']);
    second.close();
    const lines = readFileSync(path.join(dir, 'events.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
    expect(lines.filter((l) => { try { JSON.parse(l); return true; } catch { return false; } })).to.have.length(7);
  });
});
