/**
 * Mutual TLS as a way to authenticate: a gateway serving HTTPS with the organisation's TLS CA as
 * client CA maps a registered client certificate to its identity, refuses a trusted but
 * unregistered one and one from another CA, still accepts bearer tokens unless client
 * certificates are required, and then refuses a connection without one at the handshake.
 */
import { expect } from 'chai';
import { X509Certificate, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { loadConfig, startGateway, tokenHash, type RunningGateway } from '@impact-ledger/gateway';
import { getGatewayWorld, NETWORK_SECRET, type GatewayWorld } from '../helpers/gateway-world';
import { REPO_ROOT, type OrgInfo } from '../helpers/network';

interface TlsFiles { cert: Buffer; key: Buffer }

/** cryptogen's layout: a user's or peer's `tls/` beside its `msp/`. */
function userTls(org: OrgInfo, user: string): TlsFiles {
  const info = org.users.find((u) => u.name.startsWith(`${user}@`));
  if (info === undefined) throw new Error(`no ${user} in ${org.mspId}`);
  const tlsDir = path.resolve(info.certPath, '..', '..', '..', 'tls');
  return { cert: readFileSync(path.join(tlsDir, 'client.crt')), key: readFileSync(path.join(tlsDir, 'client.key')) };
}

function orgDir(org: OrgInfo): string {
  return path.resolve(org.admin.certPath, '..', '..', '..', '..', '..');
}

interface Reply { status: number; body: { code?: string; identity?: string } }

function get(url: string, ca: Buffer, client?: TlsFiles, token?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = https.get(`${url}/v1/roles/me`, {
      ca, ...(client ?? {}), headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Reply['body'] }));
    });
    request.on('error', reject);
  });
}

describe('e2e: mutual TLS authentication', function () {
  this.timeout(60_000);
  let world: GatewayWorld;
  let org1: OrgInfo;
  let serverCa: Buffer;
  const token = `tok-mtls-${randomBytes(16).toString('hex')}`;
  const running: RunningGateway[] = [];

  async function start(requireClientCertificate: boolean): Promise<string> {
    const dir = path.join(REPO_ROOT, 'build', 'test-gateway-e2e', `mtls-${Date.now()}-${String(requireClientCertificate)}`);
    mkdirSync(dir, { recursive: true });
    const peerTls = path.join(orgDir(org1), 'peers', readdirSync(path.join(orgDir(org1), 'peers'))[0] ?? '', 'tls');
    const user1 = new X509Certificate(userTls(org1, 'User1').cert);
    writeFileSync(path.join(dir, 'api-keys.json'), JSON.stringify({ keys: [
      { certSha256: createHash('sha256').update(user1.raw).digest('hex'), user: org1.users.find((u) => u.name.startsWith('User1@'))?.name },
      { sha256: tokenHash(token), user: org1.admin.name },
    ] }));
    const config = loadConfig({
      IL_GATEWAY_MSP_ID: org1.mspId, IL_NETWORK_JSON: process.env.IL_NETWORK_JSON, IL_GATEWAY_PORT: '0',
      // on org1's own address: the only address (with its host name) in org1's peer certificate
      IL_GATEWAY_HOST: org1.address,
      IL_GATEWAY_API_KEYS: path.join(dir, 'api-keys.json'), IL_GATEWAY_DATA_DIR: path.join(dir, 'data'), IL_NETWORK_SECRET: NETWORK_SECRET,
      // the peer's TLS pair stands in for the gateway's own server certificate (SAN: org1's address)
      IL_GATEWAY_TLS_CERT: path.join(peerTls, 'server.crt'), IL_GATEWAY_TLS_KEY: path.join(peerTls, 'server.key'),
      IL_GATEWAY_TLS_CLIENT_CA: path.join(peerTls, 'ca.crt'), IL_GATEWAY_TLS_REQUIRE_CLIENT_CERT: String(requireClientCertificate),
    });
    serverCa = readFileSync(path.join(peerTls, 'ca.crt'));
    const gateway = await startGateway(config, { logger: false });
    running.push(gateway);
    expect(gateway.url).to.match(/^https:/);
    return gateway.url;
  }

  before(async () => {
    world = await getGatewayWorld();
    const found = world.net.orgs[0];
    if (found === undefined) throw new Error('no org 1');
    org1 = found;
  });

  after(async () => {
    await Promise.all(running.map((gateway) => gateway.close()));
  });

  it('maps a registered client certificate to its identity, and refuses unknown or foreign ones', async () => {
    const url = await start(false);
    const mine = await get(url, serverCa, userTls(org1, 'User1'));
    expect(mine.status).to.equal(200);
    expect(mine.body.identity).to.equal(world.identity(1, 'User1'));

    const unregistered = await get(url, serverCa, userTls(org1, 'User2'));
    expect([unregistered.status, unregistered.body.code]).to.deep.equal([401, 'CLIENT_CERTIFICATE_UNKNOWN']);
    const org2 = world.net.orgs[1];
    if (org2 === undefined) throw new Error('no org 2');
    const foreign = await get(url, serverCa, userTls(org2, 'User1'));
    expect([foreign.status, foreign.body.code]).to.deep.equal([401, 'CLIENT_CERTIFICATE_UNTRUSTED']);

    const bearer = await get(url, serverCa, undefined, token);
    expect(bearer.status).to.equal(200);
    expect(bearer.body.identity).to.equal(world.identity(1, 'Admin'));
    const nothing = await get(url, serverCa);
    expect([nothing.status, nothing.body.code]).to.deep.equal([401, 'UNAUTHENTICATED']);
  });

  it('refuses a connection without a client certificate at the handshake when one is required', async () => {
    const url = await start(true);
    expect((await get(url, serverCa, userTls(org1, 'User1'))).status).to.equal(200);
    const refused = await get(url, serverCa, undefined, token).then(() => undefined, (error: unknown) => error);
    expect(refused, 'no HTTP answer without a certificate').to.be.instanceOf(Error);
  });
});
