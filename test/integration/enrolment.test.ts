/**
 * Users hold their own keys, on the real network: an operator registers a user of Org1 at
 * Org1's CA; the user (this test) makes its key, enrols with a CSR only, and signs its own
 * transactions through fabric-gateway (no gateway of ours, no script ever sees the key); it
 * re-enrols with a new key; then Org1 revokes it, the CRL goes into Org1's MSP by a channel
 * config update, and the peers refuse its transactions. Config updates obey the channel's
 * policies: another organisation's admin alone cannot change Org1's MSP, and an Application-level
 * change signed by fewer admins than MAJORITY is refused, the configuration unchanged. Through a
 * gateway that holds only its certificate, the user signs its own steps (client signing); once
 * revoked, its signed transactions through that gateway are refused by the peers as well.
 */
import { enrollWithSecret, loadConfig, loadWallet, loadWalletKey, newKeyAndRequest, startGateway, storeWallet, tokenHash, type RunningGateway } from '@impact-ledger/gateway';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { HttpClient } from '../helpers/gateway-http';
import { evaluate, submit } from '../helpers/ledger';
import { connectWith, REPO_ROOT, type Actor } from '../helpers/network';
import { claimFor, getWorld, protocolDraft, submitClaim, uniqueSlug, type World } from './world';

const run = promisify(execFile);

interface Protocol { id: string; version: number; category: string }
interface WhoAmI { identity: string; mspId: string; operator: boolean; roles: string[] }

const CLI = path.join(REPO_ROOT, 'gateway', 'dist', 'cli.js');

async function cli(...args: string[]): Promise<string> {
  return (await run(process.execPath, [CLI, ...args], { env: process.env })).stdout;
}

async function networkScript(home: string, env: Record<string, string>, ...args: string[]): Promise<{ ok: boolean; output: string; ms: number }> {
  const start = Date.now();
  try {
    const { stdout, stderr } = await run('bash', [path.join(REPO_ROOT, 'scripts', 'network.sh'), ...args], { env: { ...process.env, IL_HOME: home, ...env } });
    return { ok: true, output: stdout + stderr, ms: Date.now() - start };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}`, ms: Date.now() - start };
  }
}

async function caRssKb(home: string): Promise<number> {
  const pid = readFileSync(path.join(home, 'pids', 'ca.org1.pid'), 'utf8').trim();
  return Number((await run('ps', ['-o', 'rss=', '-p', pid])).stdout.trim());
}

/** The channel's current config block, as Org1's admin's peer serves it (cscc). */
async function configBlock(admin: Actor, channel: string): Promise<Buffer> {
  return Buffer.from(await admin.network.getContract('cscc').evaluateTransaction('GetConfigBlock', channel));
}

async function refused(action: Promise<unknown>): Promise<string> {
  try {
    await action;
  } catch (err) {
    const e = err as { message?: string; details?: { message: string }[] };
    return [e.message ?? String(err), ...(e.details ?? []).map((d) => d.message)].join(' | ');
  }
  throw new Error('expected the network to refuse');
}

describe('enrolment with the user\'s own key, re-enrolment and revocation (Org1 CA, real network)', function () {
  this.timeout(240_000);
  let w: World;
  let protocol: Protocol;
  let orgHome: string;
  let wallet: string;
  let name: string;
  let secret: string;
  let caUrl: string;
  let user: Actor | undefined;
  let identity: string;
  let firstCert: { cert: string; key: string };
  let gateway: RunningGateway | undefined;
  let viaGateway: HttpClient;
  let pendingClaim: string;

  const caCert = () => path.join(orgHome, 'ca', 'server', 'ca-cert.pem');
  const connectWallet = (label: string): Actor => {
    const current = loadWallet(wallet);
    return connectWith(w.net, 1, label, current.certPem, readFileSync(current.keyFile));
  };

  before(async () => {
    w = await getWorld();
    orgHome = path.join(w.net.home, 'crypto', 'peerOrganizations', w.net.orgs[0]?.domain ?? 'org1.impact.local');
    wallet = mkdtempSync(path.join(tmpdir(), 'il-user-wallet-'));
    name = uniqueSlug('member');
    const draft = protocolDraft({ verifiers: [w.user(2, 2).identity, w.user(3, 2).identity], quorum: 2, validators: [w.user(2, 4).identity] });
    await submit(w.operators[0].actor, 'protocols:Register', JSON.stringify(draft));
    protocol = (await submit<Protocol>(w.operators[0].actor, 'protocols:Activate', draft.id, '1')).result;
  });

  after(async () => {
    await gateway?.close();
    user?.close();
    rmSync(wallet, { recursive: true, force: true });
  });

  it("keeps each CA's bootstrap registrar secret off its command line and out of its config file", () => {
    const cas = readdirSync(path.join(w.net.home, 'pids')).filter((file) => /^ca\..*\.pid$/.test(file));
    expect(cas.length).to.equal(w.net.orgs.length + 1); // every organisation's CA and the ordering organisation's
    for (const file of cas) {
      const pid = readFileSync(path.join(w.net.home, 'pids', file), 'utf8').trim();
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(commandLine.join(' '), file).to.include('fabric-ca-server start');
      const home = commandLine[commandLine.indexOf('--home') + 1] ?? '';
      const secret = readFileSync(path.join(home, 'bootstrap-registrar'), 'utf8').trim().split(':')[1] ?? '';
      expect(secret.length, file).to.be.at.least(16);
      expect(commandLine.join(' '), file).not.to.include(secret);
      expect(readFileSync(path.join(home, 'fabric-ca-server-config.yaml'), 'utf8'), file).not.to.include(secret);
    }
  });

  it('registers a user (operator), who enrols with a key made here: only a CSR goes to the CA; the secret is one-time', async () => {
    const rssBefore = await caRssKb(w.net.home);
    const registered = JSON.parse(await cli('users:register', name, 'client', '--org-home', orgHome)) as { secret: string; caUrl: string; type: string };
    expect(registered.type).to.equal('client');
    secret = registered.secret;
    caUrl = registered.caUrl;
    const { keyPem, csrPem } = await newKeyAndRequest(name);
    const caPem = readFileSync(caCert(), 'utf8');
    const answer = await enrollWithSecret(caUrl, caPem, name, secret, csrPem);
    storeWallet(wallet, { caUrl, name }, keyPem, answer.certPem, caPem);
    const cert = new X509Certificate(answer.certPem);
    expect(cert.subject).to.include(`CN=${name}`).and.to.include('OU=client');
    expect(cert.checkIssued(new X509Certificate(caPem))).to.equal(true);
    firstCert = { cert: answer.certPem, key: keyPem };
    // The secret enrolled once; a second enrolment with it is refused by the CA.
    const again = await newKeyAndRequest(name);
    expect(await refused(enrollWithSecret(caUrl, caPem, name, secret, again.csrPem))).to.match(/refused/);
    console.log(`      [measure] ca.org1 RSS: ${rssBefore} kB before, ${await caRssKb(w.net.home)} kB after register + 2 enrolment attempts`);
  });

  it("signs its own transactions: the operator grants it a role, it submits a claim", async () => {
    user = connectWallet(name);
    const me = await evaluate<WhoAmI>(user, 'roles:WhoAmI');
    expect(me).to.include({ mspId: 'Org1MSP', operator: false });
    expect(me.identity).to.include(`CN=${name}`);
    expect(me.roles).to.deep.equal([]);
    identity = me.identity;
    await submit(w.operators[0].actor, 'roles:Grant', identity, 'submitter');
    expect((await evaluate<WhoAmI>(user, 'roles:WhoAmI')).roles).to.deep.equal(['submitter']);
    const claim = await submitClaim<{ id: string; status: string }>(user, await claimFor(protocol));
    expect(claim.result.status).to.equal('submitted');
  });

  it('re-enrols (impact-ledger reenroll): a new key and certificate, the same identity and roles', async () => {
    const before = loadWallet(wallet);
    await cli('reenroll', '--wallet', wallet);
    const after = loadWallet(wallet);
    expect(after.keyFile).not.to.equal(before.keyFile);
    expect(new X509Certificate(after.certPem).serialNumber).not.to.equal(new X509Certificate(before.certPem).serialNumber);
    user?.close();
    user = connectWallet(`${name} (re-enrolled)`);
    const me = await evaluate<WhoAmI>(user, 'roles:WhoAmI');
    expect(me.identity).to.equal(identity);
    expect(me.roles).to.deep.equal(['submitter']);
    expect((await submitClaim<{ status: string }>(user, await claimFor(protocol))).result.status).to.equal('submitted');
  });

  it('signs its own transactions through a gateway that holds only its certificate (client signing)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'il-user-gateway-'));
    const token = `tok-member-${randomBytes(16).toString('hex')}`;
    writeFileSync(path.join(dir, 'api-keys.json'), JSON.stringify({ keys: [
      { sha256: tokenHash(`tok-admin-${randomBytes(16).toString('hex')}`), user: w.net.orgs[0]?.admin.name, custody: 'gateway' },
      { sha256: tokenHash(token), user: name, mspId: 'Org1MSP', certificatePath: path.join(wallet, 'signcerts', 'cert.pem') },
    ] }));
    gateway = await startGateway(loadConfig({
      IL_GATEWAY_MSP_ID: 'Org1MSP', IL_NETWORK_JSON: process.env.IL_NETWORK_JSON, IL_GATEWAY_PORT: '0', IL_GATEWAY_CHECK_THREADS: '0',
      IL_GATEWAY_API_KEYS: path.join(dir, 'api-keys.json'), IL_GATEWAY_DATA_DIR: path.join(dir, 'data'), IL_NETWORK_SECRET: 'integration-network-secret-withdrawals-only',
    }), { logger: false });
    const url = gateway.url;
    viaGateway = new HttpClient(() => url, token, loadWalletKey(wallet));
    const [first, second] = [await submitClaim<{ id: string }>(user as Actor, await claimFor(protocol)), await submitClaim<{ id: string }>(user as Actor, await claimFor(protocol))];
    pendingClaim = second.result.id;
    const withdrawn = await viaGateway.json<{ result: { status: string } }>('POST', `/v1/claims/${first.result.id}/withdraw`, undefined, 200);
    expect(withdrawn.result.status).to.equal('withdrawn');
  });

  it("refuses a CRL for Org1's MSP signed by Org2's admin alone: the configuration is unchanged and the user still transacts", async () => {
    const before = await configBlock(w.operators[0].actor, w.net.channel);
    const attempt = await networkScript(w.net.home, { IL_SIGNERS: '2' }, 'revoke-user', '1', name);
    expect(attempt.ok, attempt.output).to.equal(false);
    expect(attempt.output).to.include('/Channel/Application/Org1MSP/MSP not satisfied');
    expect((await configBlock(w.operators[0].actor, w.net.channel)).equals(before)).to.equal(true);
    // Revoked at the CA, but not in the channel: the network still accepts it (the channel's CRL is what counts).
    expect((await evaluate<WhoAmI>(user as Actor, 'roles:WhoAmI')).identity).to.equal(identity);
  });

  it('refuses an Application-level update signed by fewer admins than MAJORITY, accepts it with a majority', async () => {
    const before = await configBlock(w.operators[0].actor, w.net.channel);
    // A real change each time (a network kept between runs already has the first value).
    const policy = before.includes('/Channel/Application/Readers') ? '/Channel/Readers' : '/Channel/Application/Readers';
    const one = await networkScript(w.net.home, { IL_SIGNERS: '1' }, 'set-acl', 'cscc/GetConfigBlock', policy);
    expect(one.ok, one.output).to.equal(false);
    expect(one.output).to.include('requires 2 of the \'Admins\' sub-policies');
    expect((await configBlock(w.operators[0].actor, w.net.channel)).equals(before)).to.equal(true);
    const majority = await networkScript(w.net.home, {}, 'set-acl', 'cscc/GetConfigBlock', policy);
    expect(majority.ok, majority.output).to.equal(true);
    expect(majority.output).to.include('signed by the admin of Org1MSP').and.to.include('submitted by the admin of Org2MSP');
    expect((await configBlock(w.operators[0].actor, w.net.channel)).equals(before)).to.equal(false);
  });

  it("revokes it (Org1's CA, then its CRL into Org1's MSP): the peers refuse its transactions, old and new certificates", async () => {
    const revocation = await networkScript(w.net.home, {}, 'revoke-user', '1', name);
    expect(revocation.ok, revocation.output).to.equal(true);
    console.log(`      [measure] revocation end to end (CA revoke + gencrl + config update committed on every peer): ${revocation.ms} ms`);
    const submitRefusal = await refused(submitClaim(user as Actor, await claimFor(protocol)));
    const evaluateRefusal = await refused(evaluate(user as Actor, 'roles:WhoAmI'));
    const old = connectWith(w.net, 1, `${name} (first certificate)`, firstCert.cert, firstCert.key);
    const oldRefusal = await refused(evaluate(old, 'roles:WhoAmI'));
    old.close();
    for (const message of [submitRefusal, evaluateRefusal, oldRefusal]) expect(message).to.match(/access denied/i);
    // Through the gateway, signed with its own (revoked) key: refused by the peers, nothing changed.
    const viaRevoked = await viaGateway.request('POST', `/v1/claims/${pendingClaim}/withdraw`);
    expect(viaRevoked.status, viaRevoked.text).to.be.at.least(400);
    expect((await evaluate<{ status: string }>(w.operators[0].actor, 'claims:Get', pendingClaim)).status).to.equal('submitted');
    // The peer says why (the client only hears "access denied"): the certificate is on Org1's CRL.
    const peerLog = readFileSync(path.join(w.net.home, 'logs', 'peer0.org1.log'), 'utf8');
    expect(peerLog.split(`The certificate has been revoked (certificate subject=CN=${name},`).length - 1).to.be.at.least(2); // both certificates (the MSP caches a verdict)
    // Everyone else still transacts.
    expect((await evaluate<WhoAmI>(w.user(1, 1).actor, 'roles:WhoAmI')).mspId).to.equal('Org1MSP');
    expect((await evaluate<WhoAmI>(w.operators[0].actor, 'roles:WhoAmI')).operator).to.equal(true);
  });
});
