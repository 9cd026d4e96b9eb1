/**
 * Authentication sweep against a real gateway on the real network: every operation of the
 * gateway's own OpenAPI document, path parameters filled with plausible values, sent without a
 * token in many spellings (percent-encoded letters, double slashes, dot segments, case, matrix
 * parameters, trailing slashes, absolute-form request targets over a raw socket). Each answers
 * 401, or 404 when the router matches no route; never 2xx/3xx/5xx, never a stream, never held by
 * Min-Block-Number; and nothing reaches Fabric or the credential checks.
 */
import { expect } from 'chai';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
import { rawRequest } from '../helpers/raw-http';
import { spellingsOf } from '../helpers/spellings';

const PUBLIC = new Set(['get /health', 'get /ready', 'get /metrics', 'get /v1/openapi.json']);

/** Counters of work that only a handler does: Fabric submissions and credential checks. */
async function handlerWork(port: number): Promise<string> {
  const metrics = (await rawRequest(port, 'GET', '/metrics')).text;
  return metrics.split('\n').filter((line) => /^il_(fabric_submit_seconds_count|credential_check_seconds_count|credential_checks_total)\b/.test(line)).join('\n');
}

describe('e2e: authentication sweep over every route and spelling', function () {
  this.timeout(600_000);
  let world: GatewayWorld;
  let port: number;
  let operations: { method: string; path: string }[];

  before(async () => {
    world = await getGatewayWorld();
    port = Number(new URL(world.gateways[0]?.running.url ?? '').port);
    const document = JSON.parse((await rawRequest(port, 'GET', '/v1/openapi.json')).text) as { paths: Record<string, Record<string, unknown>> };
    const identity = encodeURIComponent(world.identity(1, 'User1'));
    const params: Record<string, string> = { id: 'commute-1', version: '1', flagId: `flag-${'a'.repeat(16)}`, role: 'submitter', identity, hash: 'a'.repeat(64), session: 'a'.repeat(48) };
    operations = Object.entries(document.paths).flatMap(([template, methods]) => Object.keys(methods).map((method) => ({
      method,
      path: template.replace(/\{([^}]+)\}/g, (_m, name: string) => params[name] ?? 'x'),
    })));
  });

  it('covers the whole API (events, reports, credential check, mutations, signing)', () => {
    const names = operations.map((o) => `${o.method} ${o.path}`);
    expect(names).to.include.members(['get /v1/events', 'post /v1/reports/carbon-result', 'post /v1/reports/pcaf', 'post /v1/credentials/check', 'post /v1/claims', `post /v1/signing/${'a'.repeat(48)}`]);
  });

  it('without a token, every spelling of every non-public route: 401 or 404, no stream, no wait, no Fabric call, no credential check', async () => {
    const before = await handlerWork(port);
    const failures: string[] = [];
    let sent = 0;
    for (const { method, path } of operations) {
      if (PUBLIC.has(`${method} ${path}`)) continue;
      const verb = method.toUpperCase();
      const hasBody = verb !== 'GET' && verb !== 'HEAD' && verb !== 'DELETE';
      const query = path === '/v1/events' ? '?from=start' : '';
      for (const spelling of spellingsOf(path, `127.0.0.1:${port}`, query)) {
        const response = await rawRequest(port, verb, spelling.target, {
          headers: { 'min-block-number': '999', ...(hasBody ? { 'content-type': 'application/json' } : {}) },
          ...(hasBody ? { body: '{"credential":{},"holdings":[]}' } : {}),
          timeoutMs: 2_000,
        });
        sent += 1;
        const what = `${verb} ${spelling.target} (${spelling.name})`;
        if (response.timedOut) failures.push(`${what}: streamed or held (status ${response.status})`);
        else if (response.status !== 401 && response.status !== 404) failures.push(`${what}: ${response.status} ${response.text.slice(0, 160)}`);
        else if (response.status === 401 && !/"code":"UNAUTHENTICATED"/.test(response.text)) failures.push(`${what}: 401 without the UNAUTHENTICATED problem: ${response.text.slice(0, 160)}`);
        if (spelling.name === 'canonical' && response.status !== 401) failures.push(`${what}: the canonical spelling must be 401`);
      }
    }
    expect(failures, failures.join('\n')).to.deep.equal([]);
    expect(sent).to.be.greaterThan(500);
    expect(await handlerWork(port), 'no submission and no credential check ran').to.equal(before);
  });

  it('the tester\'s requests: /%761/events and an absolute-form target do not stream, /%761/reports/* do not compute', async () => {
    for (const target of ['/%761/events?from=start', `http://127.0.0.1:${port}/v1/events?from=start`]) {
      const response = await rawRequest(port, 'GET', target, { timeoutMs: 2_000 });
      expect(response.timedOut, `${target} streamed`).to.equal(false);
      expect(response.status, target).to.equal(401);
    }
    for (const report of ['carbon-result', 'pcaf']) {
      const response = await rawRequest(port, 'POST', `/%761/reports/${report}`, { headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(response.status, report).to.equal(401);
    }
  });
});
