/**
 * Client-signed transactions through the HTTP gateway (issue 18) on the real network: a verifier
 * signs its own vote, also through another organisation's gateway that knows only its
 * certificate; bad, foreign, high-S and replayed signatures are refused and nothing is
 * committed; a gateway cannot act for a user whose key it does not hold, and never signs a vote
 * itself; an Idempotency-Key works the same for a client-signed mutation.
 */
import { followSigning, loadConfig, loadOrgNetwork, p1363ToDer, P256_ORDER, parseDerSignature, encodeDerSignature, signingStepOf, startGateway, tokenHash, type RunningGateway, type SigningKey, type SigningStepBody } from '@impact-ledger/gateway';
import { expect } from 'chai';
import { randomBytes, randomUUID, sign } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HttpClient, type HttpResponse } from '../helpers/gateway-http';
import { getGatewayWorld, NETWORK_SECRET, userKey, type GatewayWorld } from '../helpers/gateway-world';
import { REPO_ROOT, userFiles } from '../helpers/network';
import { activeProtocol, claimRequest, newIssuer, reportHash, settled, signedCredential, type Committed, type IssuerKeyPair, type TestProtocol } from './scenario';

/** The step of a 202 answer (fails the test when it is none). */
function stepOf(response: HttpResponse): SigningStepBody {
  expect(response.status, response.text).to.equal(202);
  const step = signingStepOf(response.body);
  expect(step, response.text).to.not.equal(undefined);
  return step as SigningStepBody;
}

/** A DER low-S signature of `message` by `key`. */
function signed(message: Uint8Array, key: SigningKey): string {
  return Buffer.from(p1363ToDer(sign('sha256', message, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }))).toString('base64');
}

function messageOf(step: SigningStepBody): Buffer {
  return Buffer.from(step.message, 'base64');
}

describe('e2e: client-signed transactions', function () {
  this.timeout(300_000);
  let world: GatewayWorld;
  let issuer: IssuerKeyPair;
  let protocol: TestProtocol;

  /** A new claim of org 1's submitter, committed everywhere. */
  async function newClaim(): Promise<string> {
    const submitted = await world.client(1, 'User1').json<Committed<{ id: string }>>('POST', '/v1/claims', claimRequest(protocol, await signedCredential(issuer)), 201);
    await settled(submitted);
    return submitted.result.id;
  }

  async function voteCount(claimId: string): Promise<number> {
    return (await world.client(3, 'User5').json<unknown[]>('GET', `/v1/claims/${claimId}/verifications`, undefined, 200)).length;
  }

  const vote = () => ({ decision: 'approve', assessedQuantity: 18000, reportHash: reportHash() });

  before(async () => {
    world = await getGatewayWorld();
    issuer = await newIssuer();
    protocol = await activeProtocol(world, [issuer.controller]);
  });

  describe('a verifier of Org1 through Org2\'s gateway, which holds only its certificate', () => {
    let gateway: RunningGateway;
    let apiKeysFile: string;
    const token = `tok-cross-${randomBytes(16).toString('hex')}`;
    const user = (): string => userFiles(world.net, 1, 'User2').name;

    before(async () => {
      const dir = path.join(REPO_ROOT, 'build', 'test-gateway-e2e', `cross-org-${Date.now()}`);
      mkdirSync(dir, { recursive: true });
      apiKeysFile = path.join(dir, 'api-keys.json');
      const org2 = world.net.orgs[1];
      if (org2 === undefined) throw new Error('no org 2');
      writeFileSync(apiKeysFile, JSON.stringify({ keys: [
        { sha256: tokenHash(`tok-admin-${randomBytes(16).toString('hex')}`), user: org2.admin.name, custody: 'gateway' },
        { sha256: tokenHash(token), user: user(), mspId: world.net.orgs[0]?.mspId, certificatePath: userFiles(world.net, 1, 'User2').certPath },
      ] }));
      gateway = await startGateway(loadConfig({
        IL_GATEWAY_MSP_ID: org2.mspId, IL_NETWORK_JSON: process.env.IL_NETWORK_JSON, IL_GATEWAY_PORT: '0',
        IL_GATEWAY_API_KEYS: apiKeysFile, IL_GATEWAY_DATA_DIR: path.join(dir, 'data'), IL_NETWORK_SECRET: NETWORK_SECRET,
      }), { logger: false });
    });

    after(async () => {
      await gateway?.close();
    });

    it('has no key for the user: not in its organisation\'s users, its API key names a certificate only', () => {
      const org2 = loadOrgNetwork(process.env.IL_NETWORK_JSON ?? '', world.net.orgs[1]?.mspId ?? '');
      expect(org2.users.has(user())).to.equal(false);
      const text = readFileSync(apiKeysFile, 'utf8');
      expect(text).to.not.include(userFiles(world.net, 1, 'User2').keyDir);
      const entry = (JSON.parse(text) as { keys: Record<string, unknown>[] }).keys.find((key) => key.user === user());
      expect(Object.keys(entry ?? {}).sort()).to.deep.equal(['certificatePath', 'mspId', 'sha256', 'user']);
    });

    it('answers who the caller is from its certificate', async () => {
      const me = await new HttpClient(() => gateway.url, token).json<{ identity: string; mspId: string; roles: string[] }>('GET', '/v1/roles/me', undefined, 200);
      expect(me).to.deep.include({ identity: world.identity(1, 'User2'), mspId: world.net.orgs[0]?.mspId, roles: ['verifier'] });
    });

    it('commits the vote the verifier signed with its own key', async () => {
      const claimId = await newClaim();
      const client = new HttpClient(() => gateway.url, token, userKey(world.net, 1, 'User2'));
      const committed = await client.json<Committed<{ status: string }>>('POST', `/v1/claims/${claimId}/verifications`, vote(), 201);
      await settled(committed);
      const votes = await world.client(3, 'User5').json<{ verifier: string }[]>('GET', `/v1/claims/${claimId}/verifications`, undefined, 200);
      expect(votes.map((v) => v.verifier)).to.deep.equal([world.identity(1, 'User2')]);
    });
  });

  describe('signatures the gateway refuses', () => {
    let claimId: string;
    let session: SigningStepBody;
    const raw = (): HttpClient => world.client(1, 'User2').withoutSigning();

    before(async () => {
      claimId = await newClaim();
      session = stepOf(await raw().request('POST', `/v1/claims/${claimId}/verifications`, vote()));
    });

    it('asks for the proposal to be signed: the SHA-256 of the message is the digest, the transaction is claims:Verify', () => {
      expect(session).to.include({ step: 'proposal', transaction: 'claims:Verify', signUrl: `/v1/signing/${session.session}` });
      expect(session.session).to.match(/^[0-9a-f]{32,}$/);
    });

    it('refuses a signature by another user\'s key (400 SIGNATURE_INVALID)', async () => {
      const refused = await raw().request('POST', session.signUrl, { signature: signed(messageOf(session), userKey(world.net, 1, 'User3')) });
      expect([refused.status, refused.body.code]).to.deep.equal([400, 'SIGNATURE_INVALID']);
    });

    it('refuses a signature of other bytes than the step\'s message (400 SIGNATURE_INVALID)', async () => {
      const tampered = Buffer.from(messageOf(session));
      tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
      const refused = await raw().request('POST', session.signUrl, { signature: signed(tampered, userKey(world.net, 1, 'User2')) });
      expect([refused.status, refused.body.code]).to.deep.equal([400, 'SIGNATURE_INVALID']);
    });

    it('refuses a high-S signature, which Fabric would refuse (400 SIGNATURE_NOT_LOW_S)', async () => {
      const low = parseDerSignature(Buffer.from(signed(messageOf(session), userKey(world.net, 1, 'User2')), 'base64'));
      const high = encodeDerSignature({ r: low.r, s: P256_ORDER - low.s });
      const refused = await raw().request('POST', session.signUrl, { signature: Buffer.from(high).toString('base64') });
      expect([refused.status, refused.body.code]).to.deep.equal([400, 'SIGNATURE_NOT_LOW_S']);
    });

    it('refuses bytes that are not a DER signature (400 SIGNATURE_INVALID)', async () => {
      const refused = await raw().request('POST', session.signUrl, { signature: randomBytes(64).toString('base64') });
      expect([refused.status, refused.body.code]).to.deep.equal([400, 'SIGNATURE_INVALID']);
    });

    it('does not know the session for another caller (404 SIGNING_SESSION_UNKNOWN)', async () => {
      const refused = await world.client(1, 'User3').withoutSigning().request('POST', session.signUrl, { signature: signed(messageOf(session), userKey(world.net, 1, 'User3')) });
      expect([refused.status, refused.body.code]).to.deep.equal([404, 'SIGNING_SESSION_UNKNOWN']);
      const unknown = await raw().request('POST', `/v1/signing/${randomBytes(24).toString('hex')}`, { signature: signed(messageOf(session), userKey(world.net, 1, 'User2')) });
      expect([unknown.status, unknown.body.code]).to.deep.equal([404, 'SIGNING_SESSION_UNKNOWN']);
    });

    it('takes one signature per step: a replayed one is 409 SIGNING_STEP_DONE; an abandoned session commits nothing', async () => {
      const signature = signed(messageOf(session), userKey(world.net, 1, 'User2'));
      const next = stepOf(await raw().request('POST', session.signUrl, { signature }));
      expect(next).to.include({ step: 'transaction', session: session.session, transactionId: session.transactionId });
      const replayed = await raw().request('POST', session.signUrl, { signature });
      expect([replayed.status, replayed.body.code]).to.deep.equal([409, 'SIGNING_STEP_DONE']);
      // the transaction step is never signed: nothing reached the orderer
      expect(await voteCount(claimId)).to.equal(0);
    });

    it('after the transaction step answers what a custodial caller gets (the client signs 2 steps); a replayed last signature is 409 and commits nothing more', async () => {
      const key = userKey(world.net, 2, 'User2');
      const client = world.client(2, 'User2').withoutSigning();
      let response = await client.request('POST', `/v1/claims/${claimId}/verifications`, vote());
      let last: { url: string; signature: string } | undefined;
      const steps: string[] = [];
      while (response.status === 202) {
        const step = stepOf(response);
        steps.push(step.step);
        last = { url: step.signUrl, signature: signed(messageOf(step), key) };
        response = await client.request('POST', last.url, { signature: last.signature });
      }
      expect(steps).to.deep.equal(['proposal', 'transaction']);
      expect(response.status, response.text).to.equal(201);
      expect(response.body).to.have.keys('result', 'txId', 'blockNumber');
      await settled(response.body as unknown as Committed);
      const replayed = await client.request('POST', last?.url ?? '', { signature: last?.signature });
      expect([replayed.status, replayed.body.code]).to.deep.equal([409, 'SIGNING_STEP_DONE']);
      expect(await voteCount(claimId)).to.equal(1);
    });
  });

  describe('custody', () => {
    it('answers a client-signing user\'s mutation with a step to sign, never a commit', async () => {
      const response = await world.client(1, 'User5').withoutSigning().request('POST', '/v1/roles', { identity: world.identity(1, 'User3'), role: 'funder' });
      expect(stepOf(response)).to.include({ step: 'proposal', transaction: 'roles:Grant' });
      const roles = (await world.client(1, 'Admin').json<{ records: { identity: string; role: string }[] }>('GET', '/v1/roles?pageSize=100', undefined, 200)).records;
      expect(roles.filter((r) => r.identity === world.identity(1, 'User3')).map((r) => r.role)).to.deep.equal(['verifier']);
    });

    it('never signs a vote or a validation for a custodial caller (403 CLIENT_SIGNATURE_REQUIRED)', async () => {
      const claimId = await newClaim();
      for (const user of ['User1', 'Admin']) {
        const refused = await world.client(1, user).request('POST', `/v1/claims/${claimId}/verifications`, vote());
        expect([refused.status, refused.body.code], user).to.deep.equal([403, 'CLIENT_SIGNATURE_REQUIRED']);
        const validation = await world.client(1, user).request('POST', `/v1/claims/${claimId}/validation`, { quantity: 1 });
        expect([validation.status, validation.body.code], user).to.deep.equal([403, 'CLIENT_SIGNATURE_REQUIRED']);
      }
      expect(await voteCount(claimId)).to.equal(0);
    });
  });

  it('an Idempotency-Key works the same: the retried client-signed vote answers the first response and makes no second transaction', async () => {
    const claimId = await newClaim();
    const client = world.client(3, 'User2');
    const headers = { 'idempotency-key': randomUUID() };
    const body = vote();
    const first = await client.request('POST', `/v1/claims/${claimId}/verifications`, body, headers);
    expect(first.status, first.text).to.equal(201);
    const again = await client.request('POST', `/v1/claims/${claimId}/verifications`, body, headers);
    expect(again.status, again.text).to.equal(201);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    expect(again.body.txId).to.equal(first.body.txId);
    await settled(first.body as unknown as Committed);
    expect(await voteCount(claimId)).to.equal(1);
  });

  it('answers a read conflict of a signed transaction with a fresh proposal step, which then commits', async () => {
    const id = `signing-mvcc-${randomBytes(4).toString('hex')}`;
    const funder = world.client(1, 'User5');
    await settled(await funder.json<Committed>('POST', '/v1/campaigns', {
      id, name: 'MVCC through signing', protocols: [protocol.id], currency: 'EUR', budget: 50_000, pricePerUnit: 1,
      criteria: { periodStart: '2025-01-01', periodEnd: '2025-12-31' },
    }, 201));
    const raw = funder.withoutSigning();
    const key = userKey(world.net, 1, 'User5');
    const next = async (step: SigningStepBody): Promise<HttpResponse> => raw.request('POST', step.signUrl, { signature: signed(messageOf(step), key) });
    // both endorsed against the same version of the campaign before either is sent
    const proposals = [stepOf(await raw.request('POST', `/v1/campaigns/${id}/budget`, { budget: 60_000 })), stepOf(await raw.request('POST', `/v1/campaigns/${id}/budget`, { budget: 70_000 }))];
    const transactions = [stepOf(await next(proposals[0] as SigningStepBody)), stepOf(await next(proposals[1] as SigningStepBody))];
    // the first commits; the second, sent after it, loses the read conflict
    const answers = [await next(transactions[0] as SigningStepBody), await next(transactions[1] as SigningStepBody)];
    expect(answers.map((a) => a.status).sort(), answers.map((a) => a.text).join('\n')).to.deep.equal([200, 202]);
    const retried = answers.find((a) => a.status === 202) as HttpResponse;
    const fresh = stepOf(retried);
    expect(fresh.step).to.equal('proposal');
    expect(fresh.transactionId).to.not.be.oneOf(proposals.map((p) => p.transactionId));
    const final = await followSigning(retried, key, (signUrl, signature) => raw.request('POST', signUrl, signature));
    expect(final.status, final.text).to.equal(200);
  });

  it('the client library refuses to sign a step made out to another certificate', async () => {
    const claimId = await newClaim();
    const response = await world.client(1, 'User2').withoutSigning().request('POST', `/v1/claims/${claimId}/verifications`, vote());
    const other = userKey(world.net, 1, 'User3');
    let error: unknown;
    try {
      await followSigning(response, other, () => Promise.reject(new Error('must not send')));
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(Error).with.property('name', 'SigningRefused');
  });
});
