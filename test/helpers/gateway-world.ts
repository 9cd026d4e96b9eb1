/**
 * The end-to-end cast: one real gateway per organisation (started in-process through
 * startGateway, on a free port, with its own data dir and API keys), HTTP clients for each
 * user, their identity strings, and roles granted through the gateways by each Admin.
 */
import { loadConfig, loadSigningKey, startGateway, tokenHash, type GatewayConfig, type RunningGateway, type SigningKey } from '@impact-ledger/gateway';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HttpClient } from './gateway-http';
import { currentNetwork, REPO_ROOT, userFiles, type NetworkInfo } from './network';

/** Same for every gateway of the test network: pseudonym salts derive from it. */
export const NETWORK_SECRET = 'e2e-network-secret-do-not-use-in-production';

/**
 * The secret the network's chaincode derives pseudonyms from (scripts/network.sh writes it beside
 * network.json), so the gateways derive the same pseudonyms as the peers (a report links a
 * producer's proofs through them); NETWORK_SECRET for a network without that file.
 */
function networkSecret(): string {
  const file = process.env.IL_NETWORK_JSON === undefined ? undefined : path.join(path.dirname(process.env.IL_NETWORK_JSON), 'gateway', 'network-secret');
  return file !== undefined && existsSync(file) ? readFileSync(file, 'utf8').trim() : NETWORK_SECRET;
}
const USERS = ['Admin', 'User1', 'User2', 'User3', 'User4', 'User5'] as const;
const ROLE_OF: Readonly<Record<string, string>> = { User1: 'submitter', User2: 'verifier', User3: 'verifier', User4: 'validator', User5: 'funder' };
/** The service accounts each gateway signs for, as scripts/lib/gateway.sh declares them; the others sign themselves. */
export const CUSTODIAL_USERS: ReadonlySet<string> = new Set(['Admin', 'User1']);

/** One organisation's gateway under test. */
export interface OrgGateway {
  config: GatewayConfig;
  running: RunningGateway;
  tokens: Map<string, string>;
}

/** The cast of the end-to-end tests. */
export interface GatewayWorld {
  net: NetworkInfo;
  gateways: OrgGateway[];
  /** An HTTP client for `user` ('Admin', 'User1'..'User5') of org `org` (1-based) on its own gateway. */
  client(org: number, user: string): HttpClient;
  /** The ledger identity string of a user. */
  identity(org: number, user: string): string;
  /** Stops and starts org `org`'s gateway on the same data dir and port; `whileStopped` runs in between. */
  restart(org: number, whileStopped?: () => void): Promise<void>;
}

let world: Promise<GatewayWorld> | undefined;

function orgGatewayConfig(net: NetworkInfo, org: number, dir: string, tokens: Map<string, string>): GatewayConfig {
  const orgInfo = net.orgs[org - 1];
  if (orgInfo === undefined) throw new Error(`no org ${org}`);
  mkdirSync(dir, { recursive: true });
  const keys = USERS.map((user) => ({
    sha256: tokenHash(tokens.get(user) ?? ''), user: `${user}@${orgInfo.domain}`, custody: CUSTODIAL_USERS.has(user) ? 'gateway' : 'client',
  }));
  writeFileSync(path.join(dir, 'api-keys.json'), JSON.stringify({ keys }));
  return loadConfig({
    IL_GATEWAY_MSP_ID: orgInfo.mspId,
    IL_NETWORK_JSON: process.env.IL_NETWORK_JSON,
    IL_GATEWAY_PORT: '0',
    IL_GATEWAY_API_KEYS: path.join(dir, 'api-keys.json'),
    IL_GATEWAY_DATA_DIR: path.join(dir, 'data'),
    IL_NETWORK_SECRET: networkSecret(),
    // org 1's gateway runs the settlement worker of campaigns in automatic mode as its funder's service account
    ...(org === 1 ? { IL_GATEWAY_SETTLEMENT_USER: `User5@${orgInfo.domain}` } : {}),
  });
}

async function startOrg(net: NetworkInfo, org: number, runDir: string): Promise<OrgGateway> {
  const tokens = new Map(USERS.map((user) => [user, `tok-${org}-${user}-${randomBytes(16).toString('hex')}`]));
  const config = orgGatewayConfig(net, org, path.join(runDir, `org${org}`), tokens);
  const running = await startGateway(config, { logger: false });
  // keep the port across restarts
  const port = Number(new URL(running.url).port);
  return { config: { ...config, port }, running, tokens };
}

async function build(): Promise<GatewayWorld> {
  const net = currentNetwork();
  const runDir = path.join(REPO_ROOT, 'build', 'test-gateway-e2e', `${Date.now()}`);
  const gateways = await Promise.all([1, 2, 3].map((org) => startOrg(net, org, runDir)));
  const client = (org: number, user: string): HttpClient => {
    const gateway = gateways[org - 1];
    const token = gateway?.tokens.get(user);
    if (gateway === undefined || token === undefined) throw new Error(`no ${user} on org ${org}`);
    return new HttpClient(() => gateway.running.url, token, CUSTODIAL_USERS.has(user) ? undefined : userKey(net, org, user));
  };
  const identities = new Map<string, string>();
  await Promise.all([1, 2, 3].flatMap((org) => USERS.map(async (user) => {
    const me = await client(org, user).json<{ identity: string }>('GET', '/v1/roles/me', undefined, 200);
    identities.set(`${org}/${user}`, me.identity);
  })));
  const identity = (org: number, user: string): string => {
    const found = identities.get(`${org}/${user}`);
    if (found === undefined) throw new Error(`no identity for ${user} of org ${org}`);
    return found;
  };
  await grantRoles(client, identity);
  return {
    net, gateways, client, identity,
    restart: async (org, whileStopped) => {
      const gateway = gateways[org - 1];
      if (gateway === undefined) throw new Error(`no org ${org}`);
      await gateway.running.close();
      whileStopped?.();
      gateway.running = await startGateway(gateway.config, { logger: false });
    },
  };
}

/** The key and certificate of `user` of org `org` from network.json (the user's own process signs with them). */
export function userKey(net: NetworkInfo, org: number, user: string): SigningKey {
  const info = userFiles(net, org, user);
  return loadSigningKey(info.certPath, info.keyDir);
}

/** Each Admin grants its users their roles through its gateway (an existing grant is fine). */
async function grantRoles(client: GatewayWorld['client'], identity: GatewayWorld['identity']): Promise<void> {
  await Promise.all([1, 2, 3].flatMap((org) => Object.entries(ROLE_OF).map(async ([user, role]) => {
    const response = await client(org, 'Admin').request('POST', '/v1/roles', { identity: identity(org, user), role });
    if (response.status !== 201 && response.status !== 409) throw new Error(`granting ${role} to ${user}@org${org}: ${response.status} ${response.text}`);
  })));
}

/** The shared cast, built on first use. */
export function getGatewayWorld(): Promise<GatewayWorld> {
  world ??= build();
  return world;
}

/** Stops every gateway (end of the run). */
export async function closeGatewayWorld(): Promise<void> {
  if (world === undefined) return;
  const built = await world.catch(() => undefined);
  await Promise.all(built?.gateways.map((gateway) => gateway.running.close()) ?? []);
}
