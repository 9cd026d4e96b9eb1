/**
 * Fault: SIGKILL the peer an SSE client listens through (gateway.org2, a separate process, feeds
 * /v1/events from peer0.org2) while other organisations keep committing, then restart it. The
 * gateway's feed resumes from its checkpoint on another organisation's peer meanwhile, so events
 * keep arriving during the outage; the stream, still open, delivers every acknowledged
 * transaction's event once: no gap, no duplicate.
 * (test/e2e/sse-peer-restart.test.ts covers a graceful restart without load.)
 */
import { ChaincodeEvents } from '@impact-ledger/chaincode/events';
import { expect } from 'chai';
import { HttpClient, type SseEvent } from '../../helpers/gateway-http';
import { getWorld } from '../../integration/world';
import { claimLoad, fault, gatewayTokens, gatewayUrl, loadProtocol, SteadyLoad, verifyClaimsLoad } from '../load';

describe('fault: the peer under an SSE stream killed under load', function () {
  this.timeout(300_000);

  it('resumes the open stream with no gap and no duplicate', async () => {
    const w = await getWorld();
    const protocol = await loadProtocol(w, { verifiers: [w.user(2, 2).identity], quorum: 1, minVerifierOrgs: 1, validators: [w.user(1, 4).identity] });
    const peer = w.net.orgs[1]?.peer.name as string;
    const reader = new HttpClient(() => gatewayUrl(w.net, 2), gatewayTokens(w.net, 2).User5);
    let expected: string[] | undefined;
    const arrivals: number[] = [];
    const submittedTx = (events: SseEvent[]) => events.filter((e) => e.data.name === ChaincodeEvents.ClaimSubmitted).map((e) => e.data.txId);
    const stream = reader.events({
      until: (events) => {
        while (arrivals.length < events.length) arrivals.push(Date.now());
        if (expected === undefined) return false;
        const seen = new Set(submittedTx(events));
        return expected.every((tx) => seen.has(tx));
      },
      timeoutMs: 240_000,
    });
    // clients of orgs 1 and 3 (endorsing through their own peers) keep writing during the outage
    const load = new SteadyLoad(claimLoad(w, protocol, [1, 3]));
    let restarted = false;
    let killedAt = 0;
    let restartAt = 0;
    try {
      await load.acknowledged(5);
      killedAt = await fault(w.net, 'kill-node', peer);
      await load.acknowledged(5);
      restartAt = Date.now();
      await fault(w.net, 'start-node', peer);
      restarted = true;
      await load.acknowledged(5);
    } finally {
      const record = await load.stop();
      if (!restarted) await fault(w.net, 'start-node', peer).catch(() => undefined);
      expected = record.acknowledged.map((a) => a.txId as string);
      const loadEnd = Date.now();
      const events = await stream;
      const mine = events.filter((e) => e.data.name === ChaincodeEvents.ClaimSubmitted && expected?.includes(e.data.txId));
      const duringOutage = arrivals.filter((t) => t > killedAt && t < restartAt).length;
      const firstAfterKill = arrivals.find((t) => t > killedAt);
      console.log(`      SSE via gateway.org2 (${peer} killed): ${mine.length} of ${expected.length} acknowledged claims' events received; ${duringOutage} while ${peer} was down, the first ${firstAfterKill === undefined ? 'never' : firstAfterKill - killedAt} ms after the kill; complete ${Math.max(0, (arrivals.at(-1) ?? loadEnd) - loadEnd)} ms after the load stopped`);
      expect(duringOutage, 'events delivered while the peer was down (the feed failed over)').to.be.greaterThan(0);
      const missing = expected.filter((tx) => !mine.some((e) => e.data.txId === tx));
      expect(missing, 'acknowledged transactions whose event never arrived (gap)').to.deep.equal([]);
      expect(mine.length, 'one event per acknowledged claim (no duplicate)').to.equal(expected.length);
      expect(new Set(events.map((e) => e.id)).size, 'no event id delivered twice').to.equal(events.length);
      const blocks = events.map((e) => e.data.blockNumber);
      expect(blocks, 'events in ledger order').to.deep.equal([...blocks].sort((a, b) => a - b));
      await verifyClaimsLoad(w.net, protocol, record, 'SSE peer kill');
    }
  });
});
