/** The OpenAPI 3.1 document: valid JSON, every route of docs/api.md, every operation with its problems. */
import { expect } from 'chai';
import { getGatewayWorld } from '../helpers/gateway-world';

const ROUTES = [
  'post /v1/roles', 'delete /v1/roles/{identity}/{role}', 'get /v1/roles',
  'post /v1/protocols', 'post /v1/protocols/{id}/versions/{version}/activate', 'post /v1/protocols/{id}/versions/{version}/suspend',
  'post /v1/protocols/{id}/versions/{version}/retire', 'get /v1/protocols', 'get /v1/protocols/{id}/versions/{version}',
  'post /v1/claims', 'get /v1/claims/{id}', 'post /v1/claims/{id}/withdraw', 'post /v1/claims/{id}/verifications', 'post /v1/claims/{id}/validation',
  'get /v1/proofs', 'get /v1/proofs/{id}', 'get /v1/proofs/{id}/provenance', 'post /v1/proofs/{id}/transfers', 'post /v1/proofs/{id}/retirements',
  'get /v1/proofs/{id}/audit-bundle', 'get /v1/proofs/{id}/retirement-certificate', 'get /v1/certificate-issuer', 'post /v1/revocations', 'post /v1/revocations/{flagId}/clear', 'post /v1/revocations/{flagId}/continue',
  'get /v1/revocations/{flagId}', 'put /v1/status-lists', 'get /v1/status-lists',
  'post /v1/credentials/check', 'get /v1/totals', 'get /v1/events', 'get /v1/openapi.json', 'get /health', 'get /ready', 'get /metrics',
];

describe('e2e: OpenAPI document and operations routes', function () {
  this.timeout(60_000);

  it('serves an OpenAPI 3.1 document listing every route with declared responses', async () => {
    const world = await getGatewayWorld();
    const response = await world.client(1, 'User1').anonymous().request('GET', '/v1/openapi.json');
    expect(response.status).to.equal(200);
    const document = JSON.parse(response.text) as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(document.openapi).to.equal('3.1.0');
    const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    expect(operations).to.include.members(ROUTES);
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        expect(Object.keys(operation.responses), `${method} ${path}`).to.satisfy((codes: string[]) => codes.some((c) => c.startsWith('2')));
        if (method === 'post' && path.startsWith('/v1/')) expect(Object.keys(operation.responses), `${method} ${path}`).to.include.members(['400', '401']);
      }
    }
  });

  it('answers /health, /ready and /metrics', async () => {
    const world = await getGatewayWorld();
    const anonymous = world.client(1, 'User1').anonymous();
    expect((await anonymous.request('GET', '/health')).status).to.equal(200);
    expect((await anonymous.request('GET', '/ready')).status).to.equal(200);
    const metrics = await anonymous.request('GET', '/metrics');
    expect(metrics.text).to.contain('il_http_requests_total').and.to.contain('il_fabric_submit_seconds').and.to.contain('il_credential_checks_total');
  });
});
