/**
 * Test access to a real local Fabric network: reads the network.json written by
 * scripts/network.sh and connects users through @hyperledger/fabric-gateway.
 */
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Contract, type Gateway, type Network } from '@hyperledger/fabric-gateway';
import { execFile } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Repository root (where the root package.json lives). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export interface UserInfo { name: string; role: string; certPath: string; keyDir: string }
export interface PeerInfo { name: string; host: string; endpoint: string; tlsRootCertPath: string; operations: string }
export interface OrgInfo {
  mspId: string;
  domain: string;
  /** The loopback address every node of the organisation listens on (scripts/lib/topology.sh). */
  address: string;
  peer: PeerInfo;
  chaincodeServer: { name: string; address: string };
  admin: UserInfo;
  users: UserInfo[];
}
export interface NetworkInfo {
  channel: string;
  chaincode: string;
  consensus: 'raft' | 'bft';
  home: string;
  ordererTlsCa: string;
  /** The loopback address of the ordering organisation's nodes. */
  ordererAddress: string;
  orderers: { name: string; host: string; endpoint: string; adminEndpoint: string; operations: string }[];
  orgs: OrgInfo[];
}

/** Parses network.json, refusing a file that lacks what the tests need. */
export function loadNetwork(file: string): NetworkInfo {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('orgs' in parsed) || !Array.isArray(parsed.orgs)) {
    throw new Error(`${file} is not a network description written by scripts/network.sh`);
  }
  return parsed as NetworkInfo;
}

/** The network description for this test run (set by the integration fixtures). */
export function currentNetwork(): NetworkInfo {
  const file = process.env.IL_NETWORK_JSON;
  if (!file) throw new Error('IL_NETWORK_JSON is not set: run the integration tests through their fixtures');
  return loadNetwork(file);
}

/** A user of the network: `org` is 1-based; `user` is 'Admin' or 'User1'..'User5'. */
export interface Actor {
  readonly org: number;
  readonly label: string;
  readonly mspId: string;
  readonly gateway: Gateway;
  readonly network: Network;
  contract(name: string): Contract;
  close(): void;
}

const clients = new Map<string, grpc.Client>();

/** One long-lived gRPC connection per peer, shared by every actor of the test run. */
function peerClient(peer: PeerInfo): grpc.Client {
  let client = clients.get(peer.endpoint);
  if (!client) {
    const tls = grpc.credentials.createSsl(readFileSync(peer.tlsRootCertPath));
    client = new grpc.Client(peer.endpoint, tls, {
      'grpc.ssl_target_name_override': peer.host,
      // The peer refuses clients that ping more often than its keepalive minInterval (60 s).
      'grpc.keepalive_time_ms': 120_000,
    });
    clients.set(peer.endpoint, client);
  }
  return client;
}

/** Closes every shared gRPC connection (end of the run). */
export function closeAllClients(): void {
  for (const watcher of heightWatchers.values()) watcher.close();
  heightWatchers.clear();
  for (const client of clients.values()) client.close();
  clients.clear();
}

function userOf(net: NetworkInfo, org: number, user: string): { org: OrgInfo; info: UserInfo } {
  const orgInfo = net.orgs[org - 1];
  if (!orgInfo) throw new Error(`no org ${org} in the network`);
  const info = user === 'Admin' ? orgInfo.admin : orgInfo.users.find((u) => u.name.startsWith(`${user}@`));
  if (!info) throw new Error(`no user ${user} in ${orgInfo.mspId}`);
  return { org: orgInfo, info };
}

/** The key file and certificate of a user (the user's own process signs with them). */
export function userFiles(net: NetworkInfo, org: number, user: string): UserInfo {
  return userOf(net, org, user).info;
}

/** Connects a user of org `org` (1-based) to its own organisation's peer. */
export function connectAs(net: NetworkInfo, org: number, user: string, peerOrg = org): Actor {
  const { info } = userOf(net, org, user);
  const keyFile = readdirSync(info.keyDir).find((f) => f.endsWith('_sk'));
  if (!keyFile) throw new Error(`no private key in ${info.keyDir}`);
  return connectWith(net, org, `${user}@org${org}`, readFileSync(info.certPath), readFileSync(path.join(info.keyDir, keyFile)), peerOrg);
}

/** Connects any identity of org `org` (a certificate and its PEM private key) to a peer. */
export function connectWith(net: NetworkInfo, org: number, label: string, certPem: Buffer | string, keyPem: Buffer | string, peerOrg = org): Actor {
  const orgInfo = net.orgs[org - 1];
  const peerOrgInfo = net.orgs[peerOrg - 1];
  if (!orgInfo || !peerOrgInfo) throw new Error(`no org ${org} or ${peerOrg} in the network`);
  const gateway = connect({
    client: peerClient(peerOrgInfo.peer),
    identity: { mspId: orgInfo.mspId, credentials: Buffer.from(certPem) },
    signer: signers.newPrivateKeySigner(createPrivateKey(keyPem)),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 10_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 20_000 }),
    submitOptions: () => ({ deadline: Date.now() + 10_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  const network = gateway.getNetwork(net.channel);
  return {
    org,
    label,
    mspId: orgInfo.mspId,
    gateway,
    network,
    contract: (name: string) => network.getContract(net.chaincode, name),
    close: () => gateway.close(),
  };
}

/** Runs scripts/network.sh with the test network's environment; resolves with its output. */
export async function networkScript(net: NetworkInfo, ...args: string[]): Promise<string> {
  return networkScriptWith(net, {}, ...args);
}

/** Like {@link networkScript}, with more environment (e.g. IL_SIGNERS). */
export async function networkScriptWith(net: NetworkInfo, env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const { stdout, stderr } = await execFileAsync('bash', [path.join(REPO_ROOT, 'scripts', 'network.sh'), ...args], {
    env: { ...process.env, ...env, IL_HOME: net.home },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout + stderr;
}

/** Block height of a peer's channel ledger, asked of the peer itself (qscc GetChainInfo). */
export async function peerHeight(actor: Actor, channel: string): Promise<bigint> {
  const bytes = await actor.network.getContract('qscc').evaluateTransaction('GetChainInfo', channel);
  // common.BlockchainInfo: field 1 = height (varint). Decode just that field.
  const first = bytes[0];
  if (first !== 0x08) throw new Error('unexpected BlockchainInfo encoding');
  let value = 0n;
  let shift = 0n;
  for (let i = 1; i < bytes.length; i++) {
    const b = bytes[i] as number;
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7n;
  }
  return value;
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the elapsed milliseconds. */
export async function eventually(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  let lastError: unknown;
  while (Date.now() - start < timeoutMs) {
    try {
      if (await check()) return Date.now() - start;
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

const heightWatchers = new Map<number, Actor>();

/**
 * Waits until every reachable peer has committed block `blockNumber`. Each organisation's peer
 * receives blocks on its own, so a transaction committed on one peer may not be visible yet on
 * the peer another organisation's client endorses through; tests that hand work from one
 * organisation to the next wait here, as a client would with a consistency token.
 */
export async function waitForBlockEverywhere(net: NetworkInfo, blockNumber: bigint, timeoutMs = 30_000): Promise<void> {
  await Promise.all(net.orgs.map(async (_org, index) => {
    const org = index + 1;
    let watcher = heightWatchers.get(org);
    if (!watcher) {
      watcher = connectAs(net, org, 'Admin');
      heightWatchers.set(org, watcher);
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if ((await peerHeight(watcher, net.channel)) > blockNumber) return;
      } catch {
        return; // a peer that is down (outage tests) is not waited for
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`peer of org ${org} did not commit block ${blockNumber} within ${timeoutMs} ms`);
  }));
}
