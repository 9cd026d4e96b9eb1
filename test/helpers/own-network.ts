/**
 * Mocha global fixtures shared by the suites that need a real network: bring up one of their own
 * (in build/<dir>, on shifted ports, so a user's network is never touched; a network left over
 * from an interrupted run is replaced, never reused) and take it down afterwards, unless
 * IL_NETWORK_JSON names a network that is already up (it is then left running) or
 * IL_KEEP_NETWORK=1.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './network';

/** Which network a suite runs on. */
export interface OwnNetwork {
  /** Directory under build/ for a consensus. */
  dir(consensus: string): string;
  /** scripts/network.sh environment for a consensus (IL_PORT_OFFSET, IL_GATEWAYS, ...). */
  env(consensus: string): NodeJS.ProcessEnv;
}

let ownHome: string | undefined;

function consensusOf(): string {
  return process.env.CONSENSUS ?? 'raft';
}

function runNetworkScript(network: OwnNetwork, home: string, verb: string): void {
  const consensus = consensusOf();
  execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'network.sh'), verb], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, IL_HOME: home, CONSENSUS: consensus, ...network.env(consensus) },
  });
}

/** Global setup: the suite's own network up (or IL_NETWORK_JSON checked), IL_NETWORK_JSON set. */
export function bringUpOwnNetwork(network: OwnNetwork): void {
  if (process.env.IL_NETWORK_JSON) {
    if (!existsSync(process.env.IL_NETWORK_JSON)) throw new Error(`IL_NETWORK_JSON=${process.env.IL_NETWORK_JSON} does not exist`);
    return;
  }
  ownHome = path.join(REPO_ROOT, 'build', network.dir(consensusOf()));
  runNetworkScript(network, ownHome, 'down');
  runNetworkScript(network, ownHome, 'up');
  process.env.IL_NETWORK_JSON = path.join(ownHome, 'network.json');
}

/** Global teardown: the suite's own network down (unless IL_KEEP_NETWORK=1). */
export function takeDownOwnNetwork(network: OwnNetwork): void {
  if (ownHome && process.env.IL_KEEP_NETWORK !== '1') runNetworkScript(network, ownHome, 'down');
}
