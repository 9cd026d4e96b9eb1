/**
 * Mocha global fixtures for the integration tests: bring up a real Fabric network of our own
 * (in build/, on shifted ports, so a user's network is never touched), tear it down after.
 * Set IL_NETWORK_JSON to run against a network that is already up (it is then left running).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { closeAllClients, REPO_ROOT } from '../helpers/network';

let ownHome: string | undefined;

function runNetworkScript(home: string, consensus: string, verb: string): void {
  execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'network.sh'), verb], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      IL_HOME: home,
      CONSENSUS: consensus,
      IL_PORT_OFFSET: process.env.IL_PORT_OFFSET ?? (consensus === 'bft' ? '200' : '100'),
    },
  });
}

export function mochaGlobalSetup(): void {
  if (process.env.IL_NETWORK_JSON) {
    if (!existsSync(process.env.IL_NETWORK_JSON)) throw new Error(`IL_NETWORK_JSON=${process.env.IL_NETWORK_JSON} does not exist`);
    return;
  }
  const consensus = process.env.CONSENSUS ?? 'raft';
  ownHome = path.join(REPO_ROOT, 'build', `test-network-${consensus}`);
  // A network left over from an interrupted run is replaced, never reused.
  runNetworkScript(ownHome, consensus, 'down');
  runNetworkScript(ownHome, consensus, 'up');
  process.env.IL_NETWORK_JSON = path.join(ownHome, 'network.json');
}

export function mochaGlobalTeardown(): void {
  closeAllClients();
  if (ownHome && process.env.IL_KEEP_NETWORK !== '1') {
    runNetworkScript(ownHome, process.env.CONSENSUS ?? 'raft', 'down');
  }
}
