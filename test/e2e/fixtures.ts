/**
 * Mocha global fixtures of the end-to-end tests: a real Fabric network of their own (in
 * build/test-network-e2e, ports shifted by 300) unless IL_NETWORK_JSON names one that is up,
 * then one in-process gateway per organisation (see helpers/gateway-world.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { closeGatewayWorld } from '../helpers/gateway-world';
import { closeAllClients, REPO_ROOT } from '../helpers/network';

let ownHome: string | undefined;

function runNetworkScript(home: string, verb: string): void {
  execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'network.sh'), verb], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, IL_GATEWAYS: '0', IL_HOME: home, CONSENSUS: process.env.CONSENSUS ?? 'raft', IL_PORT_OFFSET: process.env.IL_PORT_OFFSET ?? '300' },
  });
}

export function mochaGlobalSetup(): void {
  if (process.env.IL_NETWORK_JSON) {
    if (!existsSync(process.env.IL_NETWORK_JSON)) throw new Error(`IL_NETWORK_JSON=${process.env.IL_NETWORK_JSON} does not exist`);
    return;
  }
  ownHome = path.join(REPO_ROOT, 'build', 'test-network-e2e');
  runNetworkScript(ownHome, 'down');
  runNetworkScript(ownHome, 'up');
  process.env.IL_NETWORK_JSON = path.join(ownHome, 'network.json');
}

export async function mochaGlobalTeardown(): Promise<void> {
  await closeGatewayWorld();
  closeAllClients();
  if (ownHome && process.env.IL_KEEP_NETWORK !== '1') runNetworkScript(ownHome, 'down');
}
