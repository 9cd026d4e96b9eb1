/**
 * Fault: SIGKILL one organisation's chaincode server (chaincode as a service) under load,
 * restart it. Its peer cannot endorse meanwhile; clients keep committing (the gateway endorses
 * on the other organisations), and nothing acknowledged is lost or duplicated.
 */
import { getWorld } from '../../integration/world';
import { claimLoad, fault, loadProtocol, reportRecovery, sleep, SteadyLoad, verifyClaimsLoad } from '../load';

describe('fault: a chaincode server killed under load', function () {
  this.timeout(240_000);

  it('keeps or resumes committing, and the restarted server serves its peer again', async () => {
    const w = await getWorld();
    const protocol = await loadProtocol(w, { verifiers: [w.user(2, 2).identity], quorum: 1, minVerifierOrgs: 1, validators: [w.user(1, 4).identity] });
    const server = w.net.orgs[0]?.chaincodeServer.name as string;
    const load = new SteadyLoad(claimLoad(w, protocol, [1, 2, 3]));
    let restarted = false;
    try {
      await load.acknowledged(5);
      const faultAt = await fault(w.net, 'kill-node', server);
      await load.acknowledged(6);
      reportRecovery(`${server} SIGKILL`, load, faultAt, 30_000);
      await sleep(1_000);
      const restartAt = await fault(w.net, 'start-node', server);
      restarted = true;
      await load.acknowledged(6);
      console.log(`      ${server} restarted; 6 more commits within ${Date.now() - restartAt} ms of the restart`);
    } finally {
      const record = await load.stop();
      if (!restarted) await fault(w.net, 'start-node', server).catch(() => undefined);
      await verifyClaimsLoad(w.net, protocol, record, 'chaincode server kill');
    }
  });
});
