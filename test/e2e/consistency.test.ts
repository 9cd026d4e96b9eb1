/**
 * Read-your-writes across organisations: a client that got `blockNumber` from one gateway sends
 * `Min-Block-Number` to another, which answers only once its own peer has committed that block.
 */
import { expect } from 'chai';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
import { activeProtocol, claimRequest, newIssuer, signedCredential, type Committed } from './scenario';

describe('e2e: Min-Block-Number (read-your-writes across organisations)', function () {
  this.timeout(60_000);
  let world: GatewayWorld;

  before(async () => {
    world = await getGatewayWorld();
  });

  it('answers another organisation\'s read once its peer has the block the write was committed in', async () => {
    const issuer = await newIssuer();
    const protocol = await activeProtocol(world, [issuer.controller]);
    const claim = await world.client(1, 'User1').json<Committed<{ id: string }>>('POST', '/v1/claims',
      claimRequest(protocol, await signedCredential(issuer, { subject: { activityPeriodStart: '2025-05-01', activityPeriodEnd: '2025-05-31' } })), 201);
    // Straight away, through org 3's gateway and peer: no 404 however fast the client is.
    const read = await world.client(3, 'User2').json<{ id: string }>('GET', `/v1/claims/${claim.result.id}`, undefined, 200,
      { 'min-block-number': String(claim.blockNumber) });
    expect(read.id).to.equal(claim.result.id);
  });

  it('gives up with 412 BLOCK_NOT_YET_COMMITTED for a block that does not exist yet, and refuses a malformed header', async () => {
    const client = world.client(2, 'User5');
    const { height } = await client.json<{ height?: number }>('GET', '/v1/totals', undefined, 412, { 'min-block-number': '999999999' });
    expect(height, 'far ahead: refused at once, with the height the peer has').to.be.a('number');
    const started = Date.now();
    const soon = await client.request('GET', '/v1/totals', undefined, { 'min-block-number': String((height ?? 0) + 50) });
    expect([soon.status, soon.body.code]).to.deep.equal([412, 'BLOCK_NOT_YET_COMMITTED']);
    expect(Date.now() - started, 'a near block is waited for').to.be.greaterThan(4_000);
    const malformed = await client.request('GET', '/v1/totals', undefined, { 'min-block-number': 'latest' });
    expect([malformed.status, malformed.body.code]).to.deep.equal([400, 'VALIDATION_FAILED']);
  });

  it('declares the header on every authenticated route of the OpenAPI document', async () => {
    const doc = await world.client(1, 'User1').json<{ paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>> }>('GET', '/v1/openapi.json', undefined, 200);
    const routes = Object.entries(doc.paths).filter(([path]) => path.startsWith('/v1/') && path !== '/v1/openapi.json')
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ route: `${method} ${path}`, operation })));
    expect(routes.length).to.be.greaterThan(15);
    for (const { route, operation } of routes) {
      expect(operation.parameters?.some((p) => p.in === 'header' && p.name === 'min-block-number'), route).to.equal(true);
      expect(Object.keys((operation as { responses?: object }).responses ?? {}), route).to.include('412');
    }
  });
});
