/**
 * The Idempotency-Key journal: the first response is replayed, a key is recovered from the
 * transactions it journaled when the process died before answering, and a torn line is ignored.
 */
import { expect } from 'chai';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiError, idempotencyJournalPath, openIdempotencyStore, type TransactionAttempt } from '@impact-ledger/gateway';

const request = { caller: 'User1@org1', key: 'k-1', method: 'POST', url: '/v1/claims', body: { a: 1 } };
const attempt: TransactionAttempt = { txId: 'a'.repeat(64), transaction: Buffer.from('endorsed').toString('base64') };

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
    const dying = { run: async (record: (a: TransactionAttempt) => void) => { record(attempt); throw new Error('process died'); }, recover: async () => undefined };
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
    await store.run(request, { run: async (record) => { record(attempt); throw new Error('commit status lost'); }, recover: async () => undefined }).catch(() => undefined);
    const second: TransactionAttempt = { txId: 'b'.repeat(64), transaction: 'Yg==' };
    const outcome = await store.run(request, { run: async (record) => { record(second); return { status: 201, body: 'b' }; }, recover: async () => undefined });
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
    // The torn line stays alone on its line: every record after it parses.
    const lines = readFileSync(idempotencyJournalPath(dir), 'utf8').split('\n').filter((l) => l !== '');
    expect(lines[0]).to.equal('{"key":"torn","fingerp');
    for (const line of lines.slice(1)) expect(() => JSON.parse(line)).not.to.throw();
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
