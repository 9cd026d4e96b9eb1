/**
 * Mocha global fixtures of the join tests (test/join): a real Fabric network of their own, with
 * its gateways (no demo data), in build/test-network-join-{raft,bft}, ports shifted by 500
 * (Raft) or 550 (BFT). The tests add a fourth organisation to it and remove it again, so it is
 * never shared with another suite. With IL_NETWORK_JSON, the network must have three
 * organisations and its gateways.
 */
import { closeAllClients } from '../helpers/network';
import { bringUpOwnNetwork, takeDownOwnNetwork, type OwnNetwork } from '../helpers/own-network';

const network: OwnNetwork = {
  dir: (consensus) => `test-network-join-${consensus}`,
  env: (consensus) => ({
    IL_SEED_DEMO: '0',
    IL_PORT_OFFSET: process.env.IL_PORT_OFFSET ?? (consensus === 'bft' ? '550' : '500'),
  }),
};

export function mochaGlobalSetup(): void {
  bringUpOwnNetwork(network);
}

export function mochaGlobalTeardown(): void {
  closeAllClients();
  takeDownOwnNetwork(network);
}
