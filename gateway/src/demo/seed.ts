/**
 * Seeds the local network's demo data through the gateways' HTTP API, as the operators would:
 * grants each organisation's users their roles, registers and activates the commute modal
 * shift protocol, and writes signed demo credentials for a new user to submit with curl.
 * Re-runnable: what exists already is left as it is. Users the gateways do not sign for
 * (verifiers, validators, funders) sign their own steps with their key files from network.json.
 *
 * Usage: node gateway/dist/demo/seed.js GATEWAYS_JSON OUTPUT_DIR [NETWORK_JSON]
 *   GATEWAYS_JSON: [{ "mspId", "url", "tokens": { "Admin": "...", "User1": "...", ... } }]
 *   NETWORK_JSON: the users' certificates and key directories (default: IL_NETWORK_JSON)
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { followSigning, loadSigningKey, type SigningKey } from '../signing/client.js';
import { demoCredentials, demoIssuer, demoProtocol } from './data.js';
import { seedFunding } from './funding.js';

interface GatewayEntry { mspId: string; url: string; tokens: Record<string, string> }
interface NetworkUserEntry { name: string; certPath: string; keyDir: string }
interface NetworkEntry { orgs: { mspId: string; domain: string; admin: NetworkUserEntry; users: NetworkUserEntry[] }[] }
interface WhoAmI { identity: string; roles: string[] }

/** The role each demo user plays (the same convention as the network's users). */
const USER_ROLES: Readonly<Record<string, string>> = { User1: 'submitter', User2: 'verifier', User3: 'verifier', User4: 'validator', User5: 'funder' };

class Gateway {
  constructor(readonly entry: GatewayEntry, private readonly network: NetworkEntry | undefined) {}

  /** The user's own key (network.json), to sign the steps the gateway asks it to sign. */
  #key(user: string): SigningKey {
    const org = this.network?.orgs.find((candidate) => candidate.mspId === this.entry.mspId);
    const info = [org?.admin, ...(org?.users ?? [])].find((candidate) => candidate?.name === `${user}@${org?.domain}`);
    if (info === undefined) throw new Error(`${user} of ${this.entry.mspId} signs itself, but its key is not in network.json (pass NETWORK_JSON)`);
    return loadSigningKey(info.certPath, info.keyDir);
  }

  async #send(token: string, method: string, route: string, body?: unknown, idempotencyKey?: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.entry.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  async call(user: string, method: string, route: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const token = this.entry.tokens[user];
    if (!token) throw new Error(`no token for ${user} of ${this.entry.mspId}`);
    const first = await this.#send(token, method, route, body, body === undefined ? undefined : randomUUID());
    const final = first.status === 202 ? await followSigning(first, this.#key(user), (signUrl, signature) => this.#send(token, 'POST', signUrl, signature)) : first;
    return { status: final.status, json: final.body };
  }

  async expect(user: string, method: string, route: string, body: unknown, ok: number[]): Promise<unknown> {
    const { status, json } = await this.call(user, method, route, body);
    if (!ok.includes(status)) {
      throw new Error(`${method} ${this.entry.url}${route} as ${user}@${this.entry.mspId}: HTTP ${status} ${JSON.stringify(json)}`);
    }
    return json;
  }
}

async function grantRoles(gateway: Gateway): Promise<Record<string, string>> {
  const identities: Record<string, string> = {};
  for (const [user, role] of Object.entries(USER_ROLES)) {
    const me = (await gateway.expect(user, 'GET', '/v1/roles/me', undefined, [200])) as WhoAmI;
    identities[user] = me.identity;
    if (!me.roles.includes(role)) {
      await gateway.expect('Admin', 'POST', '/v1/roles', { identity: me.identity, role }, [201]);
      console.log(`  ${gateway.entry.mspId}: granted ${role} to ${user}`);
    }
  }
  return identities;
}

async function ensureProtocol(org1: Gateway, protocol: Record<string, unknown>): Promise<void> {
  const route = `/v1/protocols/${String(protocol.id)}/versions/${String(protocol.version)}`;
  const existing = await org1.call('Admin', 'GET', route);
  let status = (existing.json as { status?: string } | undefined)?.status;
  if (existing.status === 404) {
    await org1.expect('Admin', 'POST', '/v1/protocols', protocol, [201]);
    status = 'draft';
    console.log(`  registered protocol ${String(protocol.id)} v${String(protocol.version)}`);
  }
  if (status === 'draft') {
    await org1.expect('Admin', 'POST', `${route}/activate`, {}, [200]);
    console.log(`  activated protocol ${String(protocol.id)} v${String(protocol.version)}`);
  }
}

async function main(): Promise<void> {
  const [gatewaysFile, outputDir, networkFile = process.env.IL_NETWORK_JSON] = process.argv.slice(2);
  if (!gatewaysFile || !outputDir) {
    console.error('usage: node gateway/dist/demo/seed.js GATEWAYS_JSON OUTPUT_DIR [NETWORK_JSON]');
    process.exit(2);
  }
  const network = networkFile === undefined ? undefined : JSON.parse(readFileSync(networkFile, 'utf8')) as NetworkEntry;
  const gateways = (JSON.parse(readFileSync(gatewaysFile, 'utf8')) as GatewayEntry[]).map((e) => new Gateway(e, network));
  const [org1, org2, org3] = gateways;
  if (!org1 || !org2 || !org3) throw new Error(`${gatewaysFile} must list three gateways`);
  const ids = await Promise.all(gateways.map(grantRoles));
  const [i1, i2, i3] = ids as [Record<string, string>, Record<string, string>, Record<string, string>];
  const issuer = await demoIssuer();
  // Five verifiers across the three sub-networks (quorum 3 from at least 2 organisations) and one
  // validator per organisation (never of the submitter's own: Org1 submits, Org2 validates).
  const protocol = demoProtocol(issuer.controller, {
    verifiers: [i1.User2, i2.User2, i2.User3, i3.User2, i3.User3].map(String),
    validators: [i1.User4, i2.User4, i3.User4].map(String),
  });
  await ensureProtocol(org1, protocol);
  mkdirSync(outputDir, { recursive: true });
  const credentials = await demoCredentials(issuer);
  credentials.forEach((credential, i) => {
    writeFileSync(path.join(outputDir, `credential-${i + 1}.json`), `${JSON.stringify(credential, null, 2)}\n`);
  });
  const fundingCredential = credentials[4];
  if (fundingCredential) await seedFunding(org1, [[org2, 'User2'], [org3, 'User2'], [org3, 'User3']], [org2, 'User4'], fundingCredential);
  console.log(`  demo issuer ${issuer.controller}`);
  console.log(`  ${credentials.length} signed demo credentials in ${outputDir}`);
}

main().catch((error: unknown) => {
  console.error(`demo seeding failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
