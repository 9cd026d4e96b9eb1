/**
 * Idempotency-Key over HTTP: a retry returns the first response and makes no second
 * transaction, also after the gateway restarts; another body with the same key is refused (422);
 * a retry while the first is running is refused (409).
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
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
});
