/**
 * Mocha global fixtures for the integration tests: a real Fabric network of their own (gateways
 * and demo included, exactly as `npm start` runs it) in build/test-network-{raft,bft}, ports
 * shifted by 100 (Raft) or 200 (BFT); see helpers/own-network.ts for IL_NETWORK_JSON.
 */
import { closeAllClients } from '../helpers/network';
import { bringUpOwnNetwork, takeDownOwnNetwork, type OwnNetwork } from '../helpers/own-network';

const network: OwnNetwork = {
  dir: (consensus) => `test-network-${consensus}`,
  env: (consensus) => ({ IL_PORT_OFFSET: process.env.IL_PORT_OFFSET ?? (consensus === 'bft' ? '200' : '100') }),
};

export function mochaGlobalSetup(): void {
  bringUpOwnNetwork(network);
}

export function mochaGlobalTeardown(): void {
  closeAllClients();
  takeDownOwnNetwork(network);
}
