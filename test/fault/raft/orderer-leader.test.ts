/**
 * Fault: SIGKILL the Raft leader orderer under steady load, restart it later. The remaining two
 * orderers elect a new leader and keep ordering; nothing acknowledged is lost or duplicated.
 */
import { expect } from 'chai';
import { getWorld } from '../../integration/world';
import { claimLoad, fault, loadProtocol, ordererLeader, reportRecovery, sleep, SteadyLoad, verifyClaimsLoad } from '../load';

describe('fault: Raft leader orderer killed under load', function () {
  this.timeout(240_000);

  it('elects a new leader, keeps committing, and loses or duplicates nothing', async () => {
    const w = await getWorld();
    const protocol = await loadProtocol(w, { verifiers: [w.user(2, 2).identity], quorum: 1, minVerifierOrgs: 1, validators: [w.user(1, 4).identity] });
    const leader = await ordererLeader(w.net);
    expect(leader, 'a Raft leader').to.be.a('string');
    const load = new SteadyLoad(claimLoad(w, protocol, [1, 2, 3]));
    try {
      await load.acknowledged(5);
      const faultAt = await fault(w.net, 'kill-node', leader as string);
      await load.acknowledged(10);
      reportRecovery(`raft leader ${leader} SIGKILL`, load, faultAt, 30_000);
      const newLeader = await ordererLeader(w.net);
      console.log(`      new leader: ${newLeader}`);
      expect(newLeader).to.not.equal(leader);
      await fault(w.net, 'start-node', leader as string);
      await sleep(2_000);
      await load.acknowledged(5);
    } finally {
      const record = await load.stop();
      await fault(w.net, 'start-node', leader as string).catch(() => undefined);
      await verifyClaimsLoad(w.net, protocol, record, 'raft leader kill');
    }
  });
});
