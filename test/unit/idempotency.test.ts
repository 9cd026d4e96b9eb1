/**
 * The Idempotency-Key journal: the first response is replayed, a key is recovered from the
 * transactions it journaled when the process died before answering, and a torn line is ignored.
 */
import { expect } from 'chai';
import { appendFileSync, existsSync, fsync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiError, idempotencyJournalPath, openIdempotencyStore, type TransactionAttempt } from '@impact-ledger/gateway';

const request = { caller: 'User1@org1', key: 'k-1', method: 'POST', url: '/v1/claims', body: { a: 1 } };
const attempt: TransactionAttempt = { txId: 'a'.repeat(64), transaction: Buffer.from('endorsed').toString('base64') };
const never = { run: async () => expect.fail('replayed, not run'), recover: async () => expect.fail('settled, nothing to recover') };

describe('idempotency journal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'il-idem-'));
  });

  it('runs the work once and replays its response, also from a reopened journal', async () => {
    let runs = 0;
    const work = { run: async () => ({ status: 201, body: { txId: `t${++runs}` } }), recover: async () => undefined };
    const store = openIdempotencyStore(dir);
    expect(await store.run(request, work)).to.deep.equal({ status: 201, body: { txId: 't1' }, replayed: false });
    expect(await store.run(request, work)).to.deep.equal({ status: 201, body: { txId: 't1' }, replayed: true });
    store.close();
    const reopened = openIdempotencyStore(dir);
    expect(await reopened.run(request, work)).to.deep.equal({ status: 201, body: { txId: 't1' }, replayed: true });
    expect(runs).to.equal(1);
    try {
      await reopened.run({ ...request, body: { a: 2 } }, work);
      expect.fail('another body with the same key must be refused');
    } catch (error) {
      expect((error as ApiError).code).to.equal('IDEMPOTENCY_KEY_REUSED');
    }
    reopened.close();
  });

  it('recovers a key whose process died after sending a transaction, without running the work again', async () => {
    const crashed = openIdempotencyStore(dir);
    const dying = { run: async (record: (a: TransactionAttempt) => Promise<void>) => { await record(attempt); throw new Error('process died'); }, recover: async () => undefined };
    await crashed.run(request, dying).catch(() => undefined);
    crashed.close();

    const restarted = openIdempotencyStore(dir);
    const seen: (readonly TransactionAttempt[])[] = [];
    let runs = 0;
    const retry = {
      run: async () => { runs += 1; return { status: 201, body: 'second transaction' }; },
      recover: async (attempts: readonly TransactionAttempt[]) => { seen.push(attempts); return { status: 201, body: { txId: attempt.txId } }; },
    };
    expect(await restarted.run(request, retry)).to.deep.equal({ status: 201, body: { txId: attempt.txId }, replayed: true });
    expect(seen).to.deep.equal([[attempt]]);
    expect(runs, 'no second transaction').to.equal(0);
    expect(await restarted.run(request, retry)).to.deep.equal({ status: 201, body: { txId: attempt.txId }, replayed: true });
    expect(seen, 'answered from the journal once recovered').to.have.length(1);
    restarted.close();
  });

  it('runs the work again when no journaled transaction committed, and keeps every attempt', async () => {
    const store = openIdempotencyStore(dir);
    await store.run(request, { run: async (record) => { await record(attempt); throw new Error('commit status lost'); }, recover: async () => undefined }).catch(() => undefined);
    const second: TransactionAttempt = { txId: 'b'.repeat(64), transaction: 'Yg==' };
    const outcome = await store.run(request, { run: async (record) => { await record(second); return { status: 201, body: 'b' }; }, recover: async () => undefined });
    expect(outcome).to.deep.equal({ status: 201, body: 'b', replayed: false });
    store.close();
    const lines = readFileSync(idempotencyJournalPath(dir), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { kind?: string });
    expect(lines.map((line) => line.kind ?? 'response')).to.deep.equal(['attempt', 'attempt', 'response']);
  });

  it('ignores a torn last line and frees a key that never sent anything', async () => {
    writeFileSync(idempotencyJournalPath(dir), '');
    appendFileSync(idempotencyJournalPath(dir), '{"key":"User1@org1\\u0000k-1","fingerp');
    const store = openIdempotencyStore(dir);
    expect(await store.run(request, { run: async () => ({ status: 201, body: 'fresh' }), recover: async () => expect.fail('nothing to recover') })).to.include({ replayed: false });
    store.close();
  });

  it('replays responses read back from the journal by byte offset (multi-byte text, many keys, after a torn line)', async () => {
    writeFileSync(idempotencyJournalPath(dir), '{"key":"torn","fingerp');
    const bodies = ['é€', '😀 émission', { nested: ['ü', 'ß', 42] }, 'plain'];
    const store = openIdempotencyStore(dir);
    for (const [i, body] of bodies.entries()) {
      await store.run({ ...request, key: `k-${i}` }, { run: async () => ({ status: 201, body }), recover: async () => undefined });
    }
    for (const [i, body] of bodies.entries()) {
      expect(await store.run({ ...request, key: `k-${i}` }, { run: async () => expect.fail('replayed, not run'), recover: async () => undefined }))
        .to.deep.equal({ status: 201, body, replayed: true });
    }
    store.close();
    const reopened = openIdempotencyStore(dir);
    for (const [i, body] of [...bodies.entries()].reverse()) {
      expect(await reopened.run({ ...request, key: `k-${i}` }, { run: async () => expect.fail('replayed, not run'), recover: async () => undefined }))
        .to.deep.equal({ status: 201, body, replayed: true });
    }
    reopened.close();
    // The torn line went with the compaction at the first start: every line parses.
    const lines = readFileSync(idempotencyJournalPath(dir), 'utf8').split('\n').filter((l) => l !== '');
    expect(lines).to.have.length(bodies.length);
    for (const line of lines) expect(() => JSON.parse(line)).not.to.throw();
  });

  describe('retention and compaction', () => {
    const HOUR = 3600_000;
    const journalKinds = (): string[] => readFileSync(idempotencyJournalPath(dir), 'utf8').split('\n').filter((l) => l !== '')
      .map((line) => (JSON.parse(line) as { kind?: string }).kind ?? 'response');

    it('drops a settled key\'s transactions at the next start, and its response once past the retention window', async () => {
      let now = Date.parse('2026-12-01T00:00:00Z');
      const options = { retentionMs: 24 * HOUR, now: () => now };
      const store = openIdempotencyStore(dir, options);
      await store.run(request, { run: async (record) => { await record(attempt); return { status: 201, body: 'first' }; }, recover: async () => undefined });
      store.close();
      expect(journalKinds()).to.deep.equal(['attempt', 'response']);

      now += 23 * HOUR;
      const next = openIdempotencyStore(dir, options);
      expect(journalKinds(), 'the signed transaction of a settled key is gone').to.deep.equal(['response']);
      expect(await next.run(request, never)).to.deep.equal({ status: 201, body: 'first', replayed: true });
      now += 2 * HOUR;
      let runs = 0;
      const again = { run: async () => ({ status: 201, body: `run ${++runs}` }), recover: async () => undefined };
      expect(await next.run({ ...request, body: { another: 'body' } }, again), 'past 24 h the key is free, whatever the body')
        .to.deep.equal({ status: 201, body: 'run 1', replayed: false });
      expect(await next.run({ ...request, body: { another: 'body' } }, never)).to.deep.equal({ status: 201, body: 'run 1', replayed: true });
      next.close();

      now += 25 * HOUR;
      const emptied = openIdempotencyStore(dir, options);
      expect(journalKinds(), 'every key expired').to.deep.equal([]);
      expect(await emptied.run(request, again)).to.deep.equal({ status: 201, body: 'run 2', replayed: false });
      emptied.close();
    });

    it('keeps a pending key\'s transactions whatever their age, also when an expired key was reused before a crash', async () => {
      let now = Date.parse('2026-12-01T00:00:00Z');
      const options = { retentionMs: HOUR, now: () => now };
      const first = openIdempotencyStore(dir, options);
      await first.run(request, { run: async () => ({ status: 201, body: 'old' }), recover: async () => undefined });
      now += 2 * HOUR;
      await first.run(request, { run: async (record) => { await record(attempt); throw new Error('process died'); }, recover: async () => undefined }).catch(() => undefined);
      first.close();

      now += 1000 * HOUR;
      const restarted = openIdempotencyStore(dir, options);
      expect(journalKinds()).to.deep.equal(['attempt']);
      const seen: (readonly TransactionAttempt[])[] = [];
      const retry = { run: async () => expect.fail('no second transaction'), recover: async (attempts: readonly TransactionAttempt[]) => { seen.push(attempts); return { status: 201, body: 'recovered' }; } };
      expect(await restarted.run(request, retry)).to.deep.equal({ status: 201, body: 'recovered', replayed: true });
      expect(seen).to.deep.equal([[attempt]]);
      restarted.close();
    });

    it('compacts while running once the journal has doubled, every response still replayed', async () => {
      const store = openIdempotencyStore(dir, { minCompactionBytes: 16 * 1024 });
      const big = (i: number): TransactionAttempt => ({ txId: i.toString(16).padStart(64, '0'), transaction: Buffer.alloc(2048, i).toString('base64') });
      for (let i = 0; i < 60; i++) {
        await store.run({ ...request, key: `k-${i}` }, { run: async (record) => { await record(big(i)); return { status: 201, body: { i, text: 'é€😀' } }; }, recover: async () => undefined });
      }
      const size = statSync(idempotencyJournalPath(dir)).size;
      expect(size, 'the signed transactions of settled keys were compacted away').to.be.below(60 * 2048);
      for (let i = 0; i < 60; i++) {
        expect(await store.run({ ...request, key: `k-${i}` }, never)).to.deep.equal({ status: 201, body: { i, text: 'é€😀' }, replayed: true });
      }
      store.close();
      const reopened = openIdempotencyStore(dir);
      expect(journalKinds()).to.deep.equal(Array(60).fill('response'));
      expect(await reopened.run({ ...request, key: 'k-59' }, never)).to.include({ replayed: true });
      reopened.close();
    });

    it('compacts under a steady stream of concurrent requests, none lost', async () => {
      // A slow disk, and requests that take different times: some record is always waiting for an fsync.
      const slowDisk = (fd: number, done: (error: NodeJS.ErrnoException | null) => void): void => {
        setTimeout(() => fsync(fd, done), 2);
      };
      const store = openIdempotencyStore(dir, { minCompactionBytes: 16 * 1024, fsync: slowDisk });
      const big = (i: number): TransactionAttempt => ({ txId: i.toString(16).padStart(64, '0'), transaction: Buffer.alloc(1024, i).toString('base64') });
      const one = (i: number) => store.run({ ...request, key: `k-${i}` }, {
        run: async (record) => {
          await record(big(i));
          await new Promise((resolve) => setTimeout(resolve, i % 4));
          return { status: 201, body: { i } };
        },
        recover: async () => undefined,
      });
      // Ten requests always in flight, and 200 signed transactions of ~1.4 kB pass 16 KiB many times.
      let next = 0;
      let largest = 0;
      await Promise.all(Array.from({ length: 10 }, async () => {
        while (next < 200) {
          await one(next++);
          largest = Math.max(largest, statSync(idempotencyJournalPath(dir)).size);
        }
      }));
      // Uncompacted it would reach ~300 kB; compacted, about twice its live size (~20 kB of responses) plus what is in flight.
      expect(largest, 'largest journal while busy (bytes)').to.be.below(120 * 1024);
      for (let i = 0; i < 200; i++) expect(await store.run({ ...request, key: `k-${i}` }, never)).to.deep.equal({ status: 201, body: { i }, replayed: true });
      store.close();
      const reopened = openIdempotencyStore(dir);
      for (let i = 0; i < 200; i++) expect(await reopened.run({ ...request, key: `k-${i}` }, never)).to.deep.equal({ status: 201, body: { i }, replayed: true });
      reopened.close();
    });

    it('starts from the whole journal when a compaction did not finish', async () => {
      const store = openIdempotencyStore(dir);
      await store.run(request, { run: async () => ({ status: 201, body: 'kept' }), recover: async () => undefined });
      store.close();
      writeFileSync(`${idempotencyJournalPath(dir)}.compacting`, '{"key":"half-written');
      const reopened = openIdempotencyStore(dir);
      expect(existsSync(`${idempotencyJournalPath(dir)}.compacting`)).to.equal(false);
      expect(await reopened.run(request, never)).to.deep.equal({ status: 201, body: 'kept', replayed: true });
      reopened.close();
    });
  });

  it('shares one fsync between the records of concurrent requests, every response still replayed after a restart', async () => {
    let fsyncs = 0;
    const counting = (fd: number, done: (error: NodeJS.ErrnoException | null) => void): void => {
      fsyncs += 1;
      fsync(fd, done);
    };
    const store = openIdempotencyStore(dir, { fsync: counting });
    const requests = 40;
    const keyed = (i: number): typeof request => ({ ...request, key: `k-${i}` });
    const txOf = (i: number): TransactionAttempt => ({ txId: i.toString(16).padStart(64, '0'), transaction: 'AA==' });
    const sent: number[] = [];
    await Promise.all(Array.from({ length: requests }, (_, i) => store.run(keyed(i), {
      run: async (record) => {
        await record(txOf(i));
        sent.push(i);
        return { status: 201, body: { i } };
      },
      recover: async () => undefined,
    })));
    expect(sent).to.have.length(requests);
    // Each request journals an attempt and a response: 80 records, one fsync each before.
    expect(fsyncs, 'fsyncs for 80 records').to.be.at.most(requests / 2);
    store.close();
    const reopened = openIdempotencyStore(dir);
    for (let i = 0; i < requests; i++) expect(await reopened.run(keyed(i), never)).to.deep.equal({ status: 201, body: { i }, replayed: true });
    reopened.close();
  });

  it('sends nothing when the journal cannot be flushed to disk, and the key stays free', async () => {
    let failures = 1;
    const failing = (fd: number, done: (error: NodeJS.ErrnoException | null) => void): void => {
      if (failures-- > 0) done(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
      else fsync(fd, done);
    };
    const store = openIdempotencyStore(dir, { fsync: failing });
    let sent = false;
    const error = await store.run(request, {
      run: async (record) => {
        await record(attempt);
        sent = true;
        return { status: 201, body: 'x' };
      },
      recover: async () => undefined,
    }).catch((e: unknown) => e);
    expect((error as NodeJS.ErrnoException).code).to.equal('EIO');
    expect(sent, 'the transaction was sent').to.equal(false);
    // The key is free again: the attempt never counted, so a retry runs the work.
    const retry = await store.run(request, { run: async () => ({ status: 201, body: 'retried' }), recover: async () => expect.fail('nothing to recover') });
    expect(retry.body).to.equal('retried');
    store.close();
  });

  it('refuses an empty or oversized key', async () => {
    const store = openIdempotencyStore(dir);
    for (const key of ['', 'k'.repeat(201)]) {
      const error = await store.run({ ...request, key }, { run: async () => ({ status: 201, body: 1 }), recover: async () => undefined }).catch((e: unknown) => e);
      expect((error as ApiError).code).to.equal('INVALID_IDEMPOTENCY_KEY');
    }
    store.close();
  });
});
