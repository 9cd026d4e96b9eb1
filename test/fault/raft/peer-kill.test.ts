/**
 * Fault: SIGKILL one organisation's peer under load. MAJORITY endorsement (2 of 3) keeps the
 * other organisations' clients committing; the restarted peer catches up to the same height and
 * state. (test/integration/peer-outage.test.ts covers a graceful stop without load.)
 */
import { getWorld } from '../../integration/world';
import { claimLoad, fault, loadProtocol, reportRecovery, SteadyLoad, verifyClaimsLoad } from '../load';

describe('fault: an organisation peer killed under load', function () {
  this.timeout(240_000);

  it('keeps committing with MAJORITY endorsement, and the restarted peer catches up', async () => {
    const w = await getWorld();
    const protocol = await loadProtocol(w, { verifiers: [w.user(2, 2).identity], quorum: 1, minVerifierOrgs: 1, validators: [w.user(1, 4).identity] });
    const peer = w.net.orgs[2]?.peer.name as string;
    // clients of orgs 1 and 2, endorsing through their own peers
    const load = new SteadyLoad(claimLoad(w, protocol, [1, 2]));
    let restarted = false;
    try {
      await load.acknowledged(5);
      const faultAt = await fault(w.net, 'kill-node', peer);
      await load.acknowledged(10);
      reportRecovery(`${peer} SIGKILL`, load, faultAt, 30_000);
      const restartAt = await fault(w.net, 'start-node', peer);
      restarted = true;
      console.log(`      ${peer} restarted, caught up and discoverable in ${Date.now() - restartAt} ms`);
      await load.acknowledged(5);
    } finally {
      const record = await load.stop();
      if (!restarted) await fault(w.net, 'start-node', peer).catch(() => undefined);
      await verifyClaimsLoad(w.net, protocol, record, 'peer kill');
    }
  });
});
