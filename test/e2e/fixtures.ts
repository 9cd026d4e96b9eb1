/**
 * Mocha global fixtures of the end-to-end tests: a real Fabric network of their own (in
 * build/test-network-e2e, ports shifted by 300, without the scripts' gateways) unless
 * IL_NETWORK_JSON names one that is up, then one in-process gateway per organisation (see
 * helpers/gateway-world.ts).
 */
import { closeGatewayWorld } from '../helpers/gateway-world';
import { closeAllClients } from '../helpers/network';
import { bringUpOwnNetwork, takeDownOwnNetwork, type OwnNetwork } from '../helpers/own-network';

const network: OwnNetwork = {
  dir: () => 'test-network-e2e',
  env: () => ({ IL_GATEWAYS: '0', IL_PORT_OFFSET: process.env.IL_PORT_OFFSET ?? '300' }),
};

export function mochaGlobalSetup(): void {
  bringUpOwnNetwork(network);
}

export async function mochaGlobalTeardown(): Promise<void> {
  await closeGatewayWorld();
  closeAllClients();
  takeDownOwnNetwork(network);
}
