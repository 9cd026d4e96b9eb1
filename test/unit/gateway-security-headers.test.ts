/**
 * Security headers: the dashboard's files (where users paste their bearer token) carry a strict
 * Content-Security-Policy (self only, no inline script or style, no framing, no form posts),
 * X-Frame-Options DENY, nosniff and no referrer; API answers (JSON, problems, 404s, the event
 * stream) carry nosniff, no referrer and a deny-all policy too.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fakeGateway, FAKE_TOKEN, rawRequest, type FakeGateway } from '../helpers/fake-gateway';

function directives(policy: unknown): Map<string, string> {
  expect(policy, 'a Content-Security-Policy').to.be.a('string');
  return new Map(String(policy).split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name = '', ...values] = d.split(/\s+/);
    return [name, values.join(' ')];
  }));
}

describe('gateway: security headers', function () {
  this.timeout(20_000);
  let gateway: FakeGateway;
  let port: number;

  before(async () => {
    const dashboard = mkdtempSync(path.join(tmpdir(), 'il-dashboard-'));
    mkdirSync(path.join(dashboard, 'assets'));
    writeFileSync(path.join(dashboard, 'index.html'), '<!doctype html><title>t</title><script type="module" src="/dashboard/assets/app.js"></script>');
    writeFileSync(path.join(dashboard, 'assets', 'app.js'), 'console.log(1);');
    gateway = await fakeGateway({ dashboardDir: dashboard });
    await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    port = (gateway.app.server.address() as AddressInfo).port;
  });

  after(async () => {
    await gateway.app.close();
  });

  it('the dashboard page and its assets: strict CSP, no framing, nosniff, no referrer', async () => {
    for (const target of ['/dashboard/', '/dashboard/index.html', '/dashboard/assets/app.js']) {
      const response = await rawRequest(port, 'GET', target);
      expect(response.status, target).to.equal(200);
      const csp = directives(response.headers['content-security-policy']);
      expect(csp.get('default-src'), target).to.equal("'none'");
      expect(csp.get('script-src')).to.equal("'self'");
      expect(csp.get('style-src')).to.equal("'self'");
      expect(csp.get('connect-src')).to.equal("'self'");
      expect(csp.get('frame-ancestors')).to.equal("'none'");
      expect(csp.get('form-action')).to.equal("'none'");
      expect(csp.get('base-uri')).to.equal("'none'");
      for (const value of csp.values()) expect(value).to.not.match(/unsafe-inline|unsafe-eval|\*/);
      expect(response.headers).to.include({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
    }
  });

  it('API answers (public, authenticated, refused, unknown) carry nosniff, no referrer, deny-all CSP, no framing', async () => {
    const answers = [
      await rawRequest(port, 'GET', '/health'),
      await rawRequest(port, 'GET', '/v1/roles/me', { headers: { authorization: `Bearer ${FAKE_TOKEN}` } }),
      await rawRequest(port, 'GET', '/v1/roles/me'),
      await rawRequest(port, 'GET', '/v1/nothing'),
      await rawRequest(port, 'POST', '/v1/reports/pcaf', { headers: { authorization: `Bearer ${FAKE_TOKEN}`, 'content-type': 'application/json' }, body: '{' }),
    ];
    expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 401, 404, 400]);
    for (const answer of answers) {
      expect(answer.headers).to.include({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' });
      expect(directives(answer.headers['content-security-policy']).get('default-src')).to.equal("'none'");
    }
  });

  it('the event stream carries them too', async () => {
    const stream = await rawRequest(port, 'GET', '/v1/events', { headers: { authorization: `Bearer ${FAKE_TOKEN}` }, timeoutMs: 500 });
    expect(stream.status).to.equal(200);
    expect(stream.headers).to.include({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
  });
});
