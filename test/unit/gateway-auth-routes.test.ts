/**
 * Authentication is decided on the route the router matched, never on how the path was spelled:
 * every route of the app (from its own OpenAPI document), in many spellings (percent-encoded
 * letters, double slashes, dot segments, case, matrix parameters, trailing slashes, absolute-form
 * request targets), without a token answers 401 or 404, quickly, and no service is ever reached.
 * Fake services, a real listening socket (absolute-form targets cannot be injected).
 */
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import { fakeGateway, FAKE_TOKEN, rawRequest, type FakeGateway } from '../helpers/fake-gateway';
import { spellingsOf } from '../helpers/spellings';

const PUBLIC = new Set(['GET /health', 'GET /ready', 'GET /metrics', 'GET /v1/openapi.json']);

/** A plausible value for each path parameter. */
const PARAMS: Readonly<Record<string, string>> = {
  id: 'p-1', version: '1', flagId: 'f-1', role: 'submitter', identity: 'x509%3A%3ACN%3Da',
};

/** Every operation of the OpenAPI document: method and a concrete path. */
function operationsOf(document: { paths?: Record<string, Record<string, unknown>> }): { method: string; path: string }[] {
  return Object.entries(document.paths ?? {}).flatMap(([template, methods]) => Object.keys(methods).map((method) => ({
    method: method.toUpperCase(),
    path: template.replace(/\{([^}]+)\}/g, (_m, name: string) => PARAMS[name] ?? 'x'),
  })));
}

describe('gateway: authentication on the matched route, whatever the spelling', function () {
  this.timeout(60_000);
  let gateway: FakeGateway;
  let port: number;
  let operations: { method: string; path: string }[];

  before(async () => {
    gateway = await fakeGateway();
    await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    port = (gateway.app.server.address() as AddressInfo).port;
    const document = await rawRequest(port, 'GET', '/v1/openapi.json');
    operations = operationsOf(JSON.parse(document.text) as { paths?: Record<string, Record<string, unknown>> });
  });

  after(async () => {
    await gateway.app.close();
  });

  it('the OpenAPI document lists the routes the sweep covers (events, reports, credentials check)', () => {
    const names = operations.map((o) => `${o.method} ${o.path}`);
    expect(names).to.include.members(['GET /v1/events', 'POST /v1/reports/carbon-result', 'POST /v1/reports/pcaf', 'POST /v1/credentials/check', 'GET /v1/roles/me']);
    expect(operations.length).to.be.greaterThan(30);
  });

  it('every non-public route in every spelling, without a token: 401 or 404, no service reached, no stream, no Min-Block-Number wait', async function () {
    this.timeout(900_000);
    const failures: string[] = [];
    for (const { method, path } of operations) {
      if (PUBLIC.has(`${method} ${path}`)) continue;
      const methods = method === 'GET' ? ['GET', 'HEAD'] : [method];
      for (const verb of methods) {
        for (const spelling of spellingsOf(path, `127.0.0.1:${port}`)) {
          gateway.calls.length = 0;
          const hasBody = verb !== 'GET' && verb !== 'HEAD';
          const started = Date.now();
          const response = await rawRequest(port, verb, spelling.target, {
            headers: { 'min-block-number': '7', ...(hasBody ? { 'content-type': 'application/json' } : {}) },
            ...(hasBody ? { body: '{}' } : {}),
            timeoutMs: 1_000,
          });
          const what = `${verb} ${spelling.target} (${spelling.name})`;
          if (response.timedOut) failures.push(`${what}: no complete answer (streamed or held) after ${Date.now() - started} ms, status ${response.status}`);
          else if (response.status !== 401 && response.status !== 404) failures.push(`${what}: ${response.status} ${response.text.slice(0, 120)}`);
          if (gateway.calls.length > 0) failures.push(`${what}: reached ${gateway.calls.join(', ')}`);
          if (spelling.name === 'canonical' && response.status !== 401) failures.push(`${what}: the canonical spelling must be 401, got ${response.status}`);
        }
      }
    }
    expect(failures, failures.join('\n')).to.deep.equal([]);
  });

  it('the public routes answer without a token', async () => {
    for (const route of PUBLIC) {
      const [method = '', path = ''] = route.split(' ');
      const response = await rawRequest(port, method, path);
      expect(response.status, `${route}: ${response.text}`).to.equal(200);
    }
  });

  it('with the token, the decoded and absolute-form spellings reach the same route as the canonical one', async () => {
    for (const target of ['/v1/roles/me', '/%761/roles/me', `http://127.0.0.1:${port}/v1/roles/me`]) {
      gateway.calls.length = 0;
      const response = await rawRequest(port, 'GET', target, { headers: { authorization: `Bearer ${FAKE_TOKEN}` } });
      expect(response.status, `${target}: ${response.text}`).to.equal(200);
      expect(gateway.calls).to.include('ledger.evaluate');
    }
  });

  it('an unknown route answers 404 ROUTE_NOT_FOUND without a token and without waiting for Min-Block-Number', async () => {
    gateway.calls.length = 0;
    const started = Date.now();
    const response = await rawRequest(port, 'GET', '/v1/nothing-here', { headers: { 'min-block-number': '7' } });
    expect(response.status).to.equal(404);
    expect(JSON.parse(response.text)).to.include({ code: 'ROUTE_NOT_FOUND' });
    expect(Date.now() - started).to.be.lessThan(1_000);
    expect(gateway.calls).to.deep.equal([]);
  });
});
