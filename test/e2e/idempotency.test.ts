/**
 * Idempotency-Key over HTTP: a retry returns the first response and makes no second
 * transaction, also after the gateway restarts; another body with the same key is refused (422);
 * a retry while the first is running is refused (409). A gateway that dies after the commit but
 * before it journals the response answers the retry from the ledger, never with a second
 * transaction; a transaction endorsed but never sent is sent again under its own id.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { idempotencyJournalPath, loadOrgNetwork, openLedger } from '@impact-ledger/gateway';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
import { connectAs, peerHeight } from '../helpers/network';
import { activeProtocol, claimRequest, newIssuer, signedCredential, type Committed, type IssuerKeyPair, type TestProtocol } from './scenario';

describe('e2e: Idempotency-Key', function () {
  this.timeout(120_000);
  let world: GatewayWorld;
  let issuer: IssuerKeyPair;
  let protocol: TestProtocol;

  before(async () => {
    world = await getGatewayWorld();
    issuer = await newIssuer();
    protocol = await activeProtocol(world, [issuer.controller]);
  });

  it('returns the same txId for a retry, also across a gateway restart, and makes one transaction', async () => {
    const key = randomUUID();
    const body = claimRequest(protocol, await signedCredential(issuer));
    const submitter = world.client(1, 'User1');
    const first = await submitter.json<Committed>('POST', '/v1/claims', body, 201, { 'idempotency-key': key });
    const again = await submitter.request('POST', '/v1/claims', body, { 'idempotency-key': key });
    expect(again.status).to.equal(201);
    expect(again.body.txId).to.equal(first.txId);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    await world.restart(1);
    const afterRestart = await submitter.json<Committed>('POST', '/v1/claims', body, 201, { 'idempotency-key': key });
    expect(afterRestart.txId).to.equal(first.txId);
    expect(afterRestart.blockNumber).to.equal(first.blockNumber);
  });

  it('refuses the same key with another body (422 IDEMPOTENCY_KEY_REUSED)', async () => {
    const key = randomUUID();
    const submitter = world.client(1, 'User1');
    await submitter.json('POST', '/v1/claims', claimRequest(protocol, await signedCredential(issuer, { subject: { activityPeriodStart: '2025-02-01', activityPeriodEnd: '2025-02-28' } })), 201, { 'idempotency-key': key });
    const other = await submitter.request('POST', '/v1/claims', claimRequest(protocol, await signedCredential(issuer)), { 'idempotency-key': key });
    expect(other.status).to.equal(422);
    expect(other.body.code).to.equal('IDEMPOTENCY_KEY_REUSED');
  });

  it('refuses a retry while the first request is in flight (409 IDEMPOTENCY_KEY_IN_FLIGHT)', async () => {
    const key = randomUUID();
    const body = claimRequest(protocol, await signedCredential(issuer, { subject: { activityPeriodStart: '2025-03-01', activityPeriodEnd: '2025-03-31' } }));
    const submitter = world.client(1, 'User1');
    const [a, b] = await Promise.all([
      submitter.request('POST', '/v1/claims', body, { 'idempotency-key': key }),
      submitter.request('POST', '/v1/claims', body, { 'idempotency-key': key }),
    ]);
    expect([a.status, b.status].sort()).to.deep.equal([201, 409]);
    expect([a.body.code, b.body.code]).to.include('IDEMPOTENCY_KEY_IN_FLIGHT');
  });

  it('answers a retry from the ledger when the gateway died after the commit but before journaling the response', async () => {
    const key = randomUUID();
    const body = claimRequest(protocol, await signedCredential(issuer, { subject: { activityPeriodStart: '2025-04-01', activityPeriodEnd: '2025-04-30' } }));
    const submitter = world.client(1, 'User1');
    const first = await submitter.json<Committed>('POST', '/v1/claims', body, 201, { 'idempotency-key': key });
    const journal = idempotencyJournalPath(world.gateways[0]?.config.dataDir ?? '');
    await world.restart(1, () => {
      // The state a crash leaves: the transaction journaled before it was sent, its response not.
      const lines = readFileSync(journal, 'utf8').trimEnd().split('\n');
      const last = JSON.parse(lines[lines.length - 1] ?? '{}') as { kind?: string; body?: { txId?: string } };
      expect(last.body?.txId, 'the response is the last line').to.equal(first.txId);
      expect(JSON.parse(lines[lines.length - 2] ?? '{}')).to.deep.include({ kind: 'attempt' });
      writeFileSync(journal, `${lines.slice(0, -1).join('\n')}\n`);
    });
    const retried = await submitter.request('POST', '/v1/claims', body, { 'idempotency-key': key });
    expect(retried.status, retried.text).to.equal(201);
    expect(retried.body.txId, 'the first transaction, not a second one (which would be CREDENTIAL_REPLAYED)').to.equal(first.txId);
    expect(retried.body.blockNumber).to.equal(first.blockNumber);
    expect(retried.headers.get('idempotent-replayed')).to.equal('true');
  });

  it('sends an endorsed transaction that never reached the orderer under its own id, once', async () => {
    const config = world.gateways[0]?.config;
    if (config === undefined) throw new Error('no gateway of org 1');
    const org = loadOrgNetwork(config.networkJson, config.mspId);
    const admin = connectAs(world.net, 1, 'Admin');
    const ledger = openLedger(org, config);
    try {
      const endorsed = await admin.contract('proofs').newProposal('CompactTotals', { arguments: ['C', 'unused-unit', ''] }).endorse();
      const prepared = { txId: endorsed.getTransactionId(), transaction: Buffer.from(endorsed.getBytes()).toString('base64') };
      const sent = await ledger.recover(org.admin.name, [prepared]);
      expect(sent?.txId).to.equal(prepared.txId);
      expect(sent?.result).to.deep.include({ pillar: 'C', unit: 'unused-unit', entriesFolded: 0 });
      const height = await peerHeight(admin, world.net.channel);
      const again = await ledger.recover(org.admin.name, [prepared]);
      expect(again?.blockNumber, 'found committed, not sent again').to.equal(sent?.blockNumber);
      expect(await peerHeight(admin, world.net.channel)).to.equal(height);
    } finally {
      ledger.close();
      admin.close();
    }
  });
});
