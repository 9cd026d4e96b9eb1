/**
 * Mocha global fixtures of the fault tests and the bad-input campaigns: a real Fabric network of
 * their own with its HTTP gateways running as separate processes (so a test can SIGKILL one),
 * in build/test-network-fault-{raft,bft}, ports shifted by 400 (Raft) or 450 (BFT).
 * Set IL_NETWORK_JSON to run against a network that is already up (it is then left running;
 * it must have been started with its gateways, IL_SEED_DEMO=0).
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
      IL_GATEWAYS: '1',
      IL_SEED_DEMO: '0',
      IL_PORT_OFFSET: process.env.IL_PORT_OFFSET ?? (consensus === 'bft' ? '450' : '400'),
    },
  });
}

export function mochaGlobalSetup(): void {
  if (process.env.IL_NETWORK_JSON) {
    if (!existsSync(process.env.IL_NETWORK_JSON)) throw new Error(`IL_NETWORK_JSON=${process.env.IL_NETWORK_JSON} does not exist`);
    return;
  }
  const consensus = process.env.CONSENSUS ?? 'raft';
  ownHome = path.join(REPO_ROOT, 'build', `test-network-fault-${consensus}`);
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
