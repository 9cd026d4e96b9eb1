/**
 * The whole workflow over HTTP, on three gateways against the real network: protocol lifecycle,
 * a credential signed at test time, the verification quorum across organisations, validation,
 * provenance with block numbers, a partial transfer, a retirement, totals and the holder's check.
 */
import { expect } from 'chai';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
import { activeProtocol, claimRequest, newIssuer, reportHash, settled, signedCredential, type Committed, type IssuerKeyPair, type JsonObject, type TestProtocol } from './scenario';

describe('e2e: workflow over HTTP', function () {
  this.timeout(180_000);
  let world: GatewayWorld;
  let issuer: IssuerKeyPair;
  let protocol: TestProtocol;
  let credential: JsonObject;
  let claimId: string;
  let proofId: string;

  before(async () => {
    world = await getGatewayWorld();
    issuer = await newIssuer();
    protocol = await activeProtocol(world, [issuer.controller]);
    credential = await signedCredential(issuer);
  });

  it('serves the active protocol version to every organisation', async () => {
    const record = await world.client(3, 'User1').json<{ status: string }>('GET', `/v1/protocols/${protocol.id}/versions/1`, undefined, 200);
    expect(record.status).to.equal('active');
  });

  it('anchors a claim from a credential: quantity and period come from the subject', async () => {
    const started = Date.now();
    const submitted = await world.client(1, 'User1').json<Committed<{ id: string; quantity: number; periodStart: string; status: string }>>(
      'POST', '/v1/claims', claimRequest(protocol, credential), 201);
    console.log(`      claim submission over HTTP: ${Date.now() - started} ms (block ${submitted.blockNumber})`);
    expect(submitted.txId).to.match(/^[0-9a-f]{64}$/);
    expect(submitted.result).to.include({ quantity: 18500, periodStart: '2025-05-01', status: 'submitted' });
    claimId = submitted.result.id;
    await settled(submitted);
  });

  it('closes the quorum with verifiers of two organisations', async () => {
    const first = await world.client(1, 'User2').json<Committed<{ status: string }>>('POST', `/v1/claims/${claimId}/verifications`,
      { decision: 'approve', assessedQuantity: 18000, reportHash: reportHash() }, 201);
    expect(first.result.status).to.equal('submitted');
    await settled(first);
    const second = await world.client(2, 'User2').json<Committed<{ status: string }>>('POST', `/v1/claims/${claimId}/verifications`,
      { decision: 'approve', assessedQuantity: 17000, reportHash: reportHash() }, 201);
    expect(second.result.status).to.equal('verified');
    await settled(second);
    const votes = await world.client(3, 'User5').json<unknown[]>('GET', `/v1/claims/${claimId}/verifications`, undefined, 200);
    expect(votes).to.have.length(2);
  });

  it('refuses a validation above the median of the assessed quantities (422)', async () => {
    const refused = await world.client(2, 'User4').request('POST', `/v1/claims/${claimId}/validation`, { quantity: 17500 });
    expect(refused.status).to.equal(422);
    expect(refused.body.code).to.equal('VALUE_ABOVE_MEDIAN');
    expect(refused.headers.get('content-type')).to.match(/^application\/problem\+json/);
  });

  it('issues the proof on validation and answers its provenance with block numbers', async () => {
    const issued = await world.client(2, 'User4').json<Committed<{ id: string; quantity: number; owner: string }>>('POST', `/v1/claims/${claimId}/validation`, { quantity: 16500 }, 201);
    expect(issued.result.quantity).to.equal(16500);
    expect(issued.result.owner).to.equal(world.identity(1, 'User1'));
    proofId = issued.result.id;
    await settled(issued);
    const { provenance, blocks } = await world.client(3, 'User5').json<{ provenance: { claim: { txId: string } }; blocks: Record<string, number> }>(
      'GET', `/v1/proofs/${proofId}/provenance`, undefined, 200);
    expect(blocks[provenance.claim.txId]).to.be.a('number').greaterThan(0);
    expect(blocks[issued.txId]).to.equal(issued.blockNumber);
  });

  it('lets the owner transfer part of the proof to a funder, who retires it', async () => {
    const moved = await world.client(1, 'User1').json<Committed<{ moved: { id: string; quantity: number }; remainder: { quantity: number } }>>(
      'POST', `/v1/proofs/${proofId}/transfers`, { newOwner: world.identity(1, 'User5'), quantity: 5000, price: { amount: 1200, currency: 'EUR' } }, 201);
    expect(moved.result.moved.quantity + moved.result.remainder.quantity).to.equal(16500);
    await settled(moved);
    const retired = await world.client(1, 'User5').json<Committed<{ moved: { status: string } }>>(
      'POST', `/v1/proofs/${moved.result.moved.id}/retirements`, { quantity: 5000, beneficiary: 'ACME SA', purpose: '2025 commute programme' }, 201);
    expect(retired.result.moved.status).to.equal('retired');
    await settled(retired);
    const owned = await world.client(1, 'User5').json<{ records: unknown[] }>('GET', `/v1/proofs?owner=${encodeURIComponent(world.identity(1, 'User5'))}`, undefined, 200);
    expect(owned.records.length).to.be.greaterThan(0);
  });

  it('reports totals per pillar and unit, never across pillars', async () => {
    const totals = await world.client(2, 'User5').json<{ totals: { pillar: string; unit: string; issued: number; retired: number }[] }>(
      'GET', `/v1/totals?protocolId=${protocol.id}&protocolVersion=1`, undefined, 200);
    expect(totals.totals).to.deep.include.members([{ pillar: 'B', unit: 'gCO2e', issued: 16500, retired: 5000 }]);
    const grouped = await world.client(2, 'User5').json<{ totals: { sdgTarget?: string; period?: string; protocolId?: string; issued: number }[] }>(
      'GET', `/v1/totals?protocolId=${protocol.id}&groupBy=sdg,year,protocol`, undefined, 200);
    expect(grouped.totals.map((row) => [row.protocolId, row.sdgTarget, row.issued])).to.deep.equal([[protocol.id, '11.2', 16500], [protocol.id, '13.2', 16500]]);
    expect(grouped.totals.every((row) => /^\d{4}$/.test(row.period ?? ''))).to.equal(true);
    const refused = await world.client(2, 'User5').json<{ code: string }>('GET', '/v1/totals?groupBy=month,year', undefined, 400);
    expect(refused.code).to.equal('INVALID_ARGUMENT');
  });

  it('tells a holder that the credential is anchored, with its claim and proof', async () => {
    const checked = await world.client(3, 'User5').json<{ anchored: boolean; claim: { id: string }; proofs: { id: string }[] }>(
      'POST', '/v1/credentials/check', { credential }, 200);
    expect(checked.anchored).to.equal(true);
    expect(checked.claim.id).to.equal(claimId);
    expect(checked.proofs.map((p) => p.id)).to.deep.equal([proofId]);
  });

  it('refuses claims while the protocol is suspended, through a gateway that already holds its policy (409)', async () => {
    // org 1's gateway read this version's policy for the first claim and keeps it in memory;
    // the chaincode still judges the status at every submission.
    const admin = world.client(1, 'Admin');
    await settled(await admin.json<Committed>('POST', `/v1/protocols/${protocol.id}/versions/1/suspend`, undefined, 200));
    const refused = await world.client(1, 'User1').request('POST', '/v1/claims', claimRequest(protocol, await signedCredential(await newIssuer())));
    expect(refused.status, JSON.stringify(refused.body)).to.equal(422);
    expect(refused.body.code).to.equal('UNTRUSTED_ISSUER');
    const suspended = await world.client(1, 'User1').request('POST', '/v1/claims', claimRequest(protocol, await signedCredential(issuer)));
    expect(suspended.status, JSON.stringify(suspended.body)).to.equal(409);
    expect(suspended.body.code).to.equal('PROTOCOL_NOT_ACTIVE');
    await settled(await admin.json<Committed>('POST', `/v1/protocols/${protocol.id}/versions/1/activate`, undefined, 200));
    const accepted = await world.client(1, 'User1').json<Committed<{ status: string }>>('POST', '/v1/claims', claimRequest(protocol, await signedCredential(issuer)), 201);
    expect(accepted.result.status).to.equal('submitted');
  });
});
