/**
 * Fault (CONSENSUS=bft): SIGKILL one of the four SmartBFT orderers (the leader, the worst case)
 * under load, restart it. Three of four (f = 1) keep ordering; nothing acknowledged is lost or
 * duplicated, and every peer reaches the same height and state.
 */
import { expect } from 'chai';
import { getWorld } from '../../integration/world';
import { claimLoad, fault, loadProtocol, ordererLeader, reportRecovery, sleep, SteadyLoad, verifyClaimsLoad } from '../load';

describe('fault (bft): one of four orderers killed under load', function () {
  this.timeout(300_000);

  it('keeps committing with 3 of 4 orderers and loses or duplicates nothing', async () => {
    const w = await getWorld();
    expect(w.net.consensus).to.equal('bft');
    expect(w.net.orderers).to.have.length(4);
    const protocol = await loadProtocol(w, { verifiers: [w.user(2, 2).identity], quorum: 1, minVerifierOrgs: 1, validators: [w.user(1, 4).identity] });
    const victim = (await ordererLeader(w.net)) ?? (w.net.orderers[0]?.name as string);
    const load = new SteadyLoad(claimLoad(w, protocol, [1, 2, 3]));
    try {
      await load.acknowledged(5);
      const faultAt = await fault(w.net, 'kill-node', victim);
      await load.acknowledged(10, 120_000);
      reportRecovery(`bft orderer ${victim} (leader) SIGKILL`, load, faultAt, 60_000);
      await fault(w.net, 'start-node', victim);
      await sleep(2_000);
      await load.acknowledged(5, 120_000);
    } finally {
      const record = await load.stop();
      await fault(w.net, 'start-node', victim).catch(() => undefined);
      await verifyClaimsLoad(w.net, protocol, record, 'bft orderer kill');
    }
  });
});
