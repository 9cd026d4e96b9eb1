/**
 * One organisation's peer down: with MAJORITY endorsement (2 of 3) transactions still commit;
 * restarted on its ledger, the peer catches up to the others' height.
 */
import { expect } from 'chai';
import { eventually, networkScript, peerHeight } from '../helpers/network';
import { submit } from '../helpers/ledger';
import { getWorld, protocolDraft } from './world';

describe('an organisation peer outage (real network)', function () {
  this.timeout(180_000);

  it('keeps committing with one peer down, and the peer catches up after restart', async () => {
    const w = await getWorld();
    const org3Peer = w.net.orgs[2]?.peer.name as string;
    await networkScript(w.net, 'stop-node', org3Peer);
    let restartedAt = Date.now();
    try {
      for (let i = 0; i < 3; i++) {
        const draft = protocolDraft({ verifiers: [w.user(2, 2).identity], quorum: 1, minVerifierOrgs: 1, validators: [w.user(1, 4).identity] });
        const committed = await submit(w.operators[0].actor, 'protocols:Register', JSON.stringify(draft));
        expect(committed.blockNumber > 0n).to.equal(true);
      }
    } finally {
      restartedAt = Date.now();
      await networkScript(w.net, 'start-node', org3Peer);
    }
    const target = await peerHeight(w.operators[0].actor, w.net.channel);
    await eventually(`${org3Peer} to reach height ${target}`, 60_000,
      async () => (await peerHeight(w.operators[2].actor, w.net.channel)) >= target);
    console.log(`      ${org3Peer} restarted, caught up to height ${target} and discoverable in ${Date.now() - restartedAt} ms`);
    expect(await peerHeight(w.operators[2].actor, w.net.channel)).to.equal(await peerHeight(w.operators[1].actor, w.net.channel));
  });
});
