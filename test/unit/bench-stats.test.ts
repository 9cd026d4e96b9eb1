/**
 * The benchmark's own arithmetic: percentiles, the open-loop load, targets, durations, and the
 * CPU profile read from /proc. (Unit stage of scripts/test.sh.)
 */
import { expect } from 'chai';
import { cpuPerUnit, cpuSeconds, formatProfile, kindOf, rssBytes } from '../../bench/lib/processes';
import { batchSettings, durationMs, meets, percentile, runLoad, runRate } from '../../bench/lib/stats';

describe('bench statistics', () => {
  it('takes nearest-rank percentiles and NaN of nothing', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).to.equal(50);
    expect(percentile(sorted, 99)).to.equal(99);
    expect(percentile([7], 99)).to.equal(7);
    expect(percentile([], 50)).to.be.NaN;
  });

  it('reads Fabric durations and refuses anything else', () => {
    expect(durationMs('500ms')).to.equal(500);
    expect(durationMs('2s')).to.equal(2000);
    expect(durationMs('0.25s')).to.equal(250);
    expect(() => durationMs('500')).to.throw(/not a duration/);
  });

  it('checks targets in both directions', () => {
    expect(meets(0.8, '>= 0.8')).to.equal(true);
    expect(meets(0.79, '>= 0.8')).to.equal(false);
    expect(meets(1.5, '<= 1.5')).to.equal(true);
    expect(meets(1.51, '<= 1.5')).to.equal(false);
  });

  it('closed loop: never more than the concurrency in flight, counts MVCC apart from failures', async () => {
    let inFlight = 0;
    let most = 0;
    const r = await runLoad({ stage: 't', path: 'direct', concurrency: 4, durationMs: 60_000, maxUnits: 40, unit: async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      return i % 10 === 0 ? { ok: false, mvcc: true, error: 'mvcc' } : i % 10 === 1 ? { ok: false, mvcc: false, error: 'boom' } : { ok: true, ms: 2 };
    } });
    expect(most).to.equal(4);
    expect(r.units).to.equal(40);
    expect([r.committed, r.mvccConflicts, r.failed]).to.deep.equal([32, 4, 4]);
    expect(r.errors[0]).to.equal('boom');
  });

  it('open loop: starts units at the rate whatever is in flight, latency from the scheduled start', async () => {
    const started: number[] = [];
    const t0 = performance.now();
    const r = await runRate({ stage: 'r', path: 'direct', ratePerSecond: 100, durationMs: 200, unit: async () => {
      started.push(performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { ok: true, ms: 50 };
    } });
    expect(r.units).to.equal(20);
    expect(r.committed).to.equal(20);
    // 50 ms per unit at one every 10 ms: about five in flight, which a closed loop of 1 would never reach.
    expect(r.concurrency).to.be.at.least(4);
    expect(started.at(-1)).to.be.within(180, 400);
    expect(r.p50).to.be.at.least(50);
    expect(r.extra?.targetRate).to.equal(100);
  });
});

describe('bench process profile', () => {
  it('names the kind of each recorded node', () => {
    expect(['peer0.org1', 'orderer2', 'chaincode.org3', 'ca.org1', 'ca.orderer', 'other'].map(kindOf))
      .to.deep.equal(['peer', 'orderer', 'chaincode', 'ca', 'ca', undefined]);
  });

  it('reads CPU time and resident memory of a live process, nothing of a dead one', () => {
    const until = performance.now() + 30;
    while (performance.now() < until) Math.sqrt(Math.random());
    expect(cpuSeconds(process.pid)).to.be.greaterThan(0);
    expect(rssBytes(process.pid)).to.be.greaterThan(10 * 2 ** 20);
    expect(cpuSeconds(2 ** 22 + 1)).to.equal(undefined);
    expect(rssBytes(2 ** 22 + 1)).to.equal(undefined);
  });

  it('turns two samples into milliseconds of CPU per unit, per kind', () => {
    const profile = cpuPerUnit({ peer: 10, chaincode: 4 }, { peer: 12, chaincode: 5, orderer: 0 }, 100);
    expect(profile).to.deep.equal({ peer: 20, chaincode: 10 });
    expect(cpuPerUnit({ peer: 1 }, { peer: 2 }, 0)).to.deep.equal({});
    expect(formatProfile(profile)).to.equal('peer 20.0, chaincode 10.0 ms CPU/tx');
    expect(formatProfile({})).to.equal('-');
  });
});

describe('bench batch settings', () => {
  it('come from the environment the bench scripts export, never from a default of their own', () => {
    expect(batchSettings({ IL_BATCH_TIMEOUT: '250ms', IL_BATCH_MAX_MESSAGES: '100' })).to.deep.equal({ timeout: '250ms', maxMessages: '100' });
    expect(() => batchSettings({})).to.throw(/run the benchmark through its script/);
  });
});
