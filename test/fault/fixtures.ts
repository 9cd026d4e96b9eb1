/**
 * Mocha global fixtures of the fault tests and the bad-input campaigns: a real Fabric network of
 * their own with its HTTP gateways running as separate processes (so a test can SIGKILL one),
 * in build/test-network-fault-{raft,bft}, ports shifted by 400 (Raft) or 450 (BFT).
 * With IL_NETWORK_JSON, the network must have been started with its gateways, IL_SEED_DEMO=0.
 */
import { closeAllClients } from '../helpers/network';
import { bringUpOwnNetwork, takeDownOwnNetwork, type OwnNetwork } from '../helpers/own-network';

const network: OwnNetwork = {
  dir: (consensus) => `test-network-fault-${consensus}`,
  env: (consensus) => ({
    IL_GATEWAYS: '1',
    IL_SEED_DEMO: '0',
    IL_PORT_OFFSET: process.env.IL_PORT_OFFSET ?? (consensus === 'bft' ? '450' : '400'),
  }),
};

export function mochaGlobalSetup(): void {
  bringUpOwnNetwork(network);
}

export function mochaGlobalTeardown(): void {
  closeAllClients();
  takeDownOwnNetwork(network);
}
