/**
 * The gateway's event feed keeps only the newest events in memory and serves an older backlog
 * from its journal a chunk at a time (the soak found it holding every event), reads only the
 * journal's tail at start, ends a torn line before appending, and resumes from the journal's last
 * event after a restart.
 */
import type { ChaincodeEvent, CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import { expect } from 'chai';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEventFeed, type EventFeed, type FeedEvent, type Ledger } from '@impact-ledger/gateway';

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

/** The first `count` events a reader from `after` gets (it fails rather than wait 10 s for one). */
async function take(feed: EventFeed, after: Parameters<EventFeed['follow']>[0], count: number): Promise<FeedEvent[]> {
  const reader = feed.follow(after);
  const events: FeedEvent[] = [];
  const timer = setTimeout(() => reader.close(), 10_000);
  try {
    for await (const event of reader) {
      events.push(event);
      if (events.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
    reader.close();
  }
  return events;
}

/** A journal line as the feed writes it. */
const line = (block: number): string => `${JSON.stringify({ id: `${block}:0`, block, index: 0, name: 'claim.submitted', txId: `tx-${block}`, payload: { n: block } })}\n`;

describe('gateway event feed', () => {
  it('keeps the newest events in memory and reads an older backlog from its journal', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'il-feed-'));
    const feed = createEventFeed(ledgerWithEvents(23), dir, quiet, { recent: 5 });
    feed.start();
    await caughtUp(feed, 22);
    const blocks = async (after: Parameters<EventFeed['follow']>[0], count: number) => (await take(feed, after, count)).map((e) => e.block);
    expect(await blocks('start', 23)).to.deep.equal(Array.from({ length: 23 }, (_, i) => i));
    expect(await blocks({ block: 20, index: 0 }, 2)).to.deep.equal([21, 22]);
    expect(await blocks({ block: 3, index: 0 }, 19)).to.deep.equal(Array.from({ length: 19 }, (_, i) => i + 4));
    // nothing after the last event: a reader waits for the next one (none comes here: it is closed)
    const reader = feed.follow('now');
    const next = reader[Symbol.asyncIterator]().next();
    reader.close();
    expect(await next).to.deep.include({ done: true });
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
    expect((await take(second, 'start', 7)).map((e) => e.id)).to.deep.equal(['0:0', '1:0', '2:0', '3:0', '4:0', '5:0', '6:0']);
    second.close();
    const lines = readFileSync(path.join(dir, 'events.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
    expect(lines.filter((l) => { try { JSON.parse(l); return true; } catch { return false; } })).to.have.length(7);
  });

  it('gives a reader from far back the journal, then the memory, then new events: no gap, no duplicate', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'il-feed-'));
    const first = createEventFeed(ledgerWithEvents(23), dir, quiet, { recent: 5 });
    first.start();
    await caughtUp(first, 22);
    first.close();
    // the reader starts in the journal before the feed reads on: 17 more events arrive as it reads
    const second = createEventFeed(ledgerWithEvents(40), dir, quiet, { recent: 5 });
    const reading = take(second, { block: 3, index: 0 }, 36);
    second.start();
    expect((await reading).map((e) => e.block)).to.deep.equal(Array.from({ length: 36 }, (_, i) => i + 4));
    second.close();
  });

  it('starts from the tail of a large journal and finds any position in it', async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(path.join(tmpdir(), 'il-feed-'));
    const count = 200_000; // ~23 MB: many read chunks and search steps
    const lines: string[] = [];
    for (let block = 0; block < count; block++) lines.push(line(block));
    writeFileSync(path.join(dir, 'events.jsonl'), lines.join(''));
    const feed = createEventFeed(ledgerWithEvents(0), dir, quiet, { recent: 100 });
    expect(feed.position()).to.deep.equal({ block: count - 1, index: 0 });
    for (const from of [0, 1, 77_777, 123_456, count - 150, count - 3]) {
      expect((await take(feed, { block: from, index: 0 }, 2)).map((e) => e.block), `after ${from}`).to.deep.equal([from + 1, from + 2]);
    }
    let seen = 0;
    let ordered = true;
    for (const event of await take(feed, 'start', count)) ordered &&= event.block === seen++;
    expect({ seen, ordered }).to.deep.equal({ seen: count, ordered: true });
    feed.close();
  });
});
