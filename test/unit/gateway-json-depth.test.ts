/**
 * JSON bodies nested deeper than the gateway's bound are refused at parse time with 400
 * JSON_TOO_DEEP on every route, never a 500 (a 10,000-level body used to overflow the stack).
 */
import { expect } from 'chai';
import { fakeGateway, FAKE_TOKEN, type FakeGateway } from '../helpers/fake-gateway';

function nested(depth: number, open = '[', close = ']'): string {
  return `${open.repeat(depth)}${close.repeat(depth)}`;
}

function deepObject(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const ROUTES: [string, string][] = [
  ['POST', '/v1/claims'], ['POST', '/v1/credentials/check'], ['POST', '/v1/reports/pcaf'], ['POST', '/v1/reports/carbon-result'],
  ['POST', '/v1/protocols'], ['PUT', '/v1/status-lists'], ['POST', '/v1/campaigns'], ['POST', '/v1/roles'],
];

describe('gateway: JSON nesting depth is bounded at parse time', function () {
  this.timeout(30_000);
  let gateway: FakeGateway;

  before(async () => {
    gateway = await fakeGateway();
  });

  after(async () => {
    await gateway.app.close();
  });

  async function post(method: string, url: string, payload: string, authenticated = true) {
    return gateway.app.inject({
      method: method as 'POST', url, payload,
      headers: { 'content-type': 'application/json', ...(authenticated ? { authorization: `Bearer ${FAKE_TOKEN}` } : {}) },
    });
  }

  for (const [method, url] of ROUTES) {
    it(`${method} ${url}: 10,000 levels of arrays, of objects, and inside a field: 400 JSON_TOO_DEEP, nothing reached`, async () => {
      for (const body of [nested(10_000), deepObject(10_000), `{"credential":${deepObject(10_000)}}`, `{"holdings":${nested(10_000)}}`]) {
        gateway.calls.length = 0;
        const response = await post(method, url, body);
        expect(response.statusCode, response.body).to.equal(400);
        expect(response.json()).to.include({ code: 'JSON_TOO_DEEP', status: 400 });
        expect(gateway.calls).to.deep.equal([]);
      }
    });
  }

  it('the bound is 64: 64 levels parse (the schema then decides), 65 do not', async () => {
    const at = await post('POST', '/v1/reports/pcaf', `{"holdings":[${deepObject(62)}]}`);
    expect(at.statusCode).to.equal(400);
    expect(at.json()).to.include({ code: 'VALIDATION_FAILED' });
    const over = await post('POST', '/v1/reports/pcaf', `{"holdings":[${deepObject(63)}]}`);
    expect(over.statusCode).to.equal(400);
    expect(over.json()).to.include({ code: 'JSON_TOO_DEEP' });
  });

  it('brackets inside strings do not count', async () => {
    const response = await post('POST', '/v1/reports/pcaf', JSON.stringify({ holdings: [{ name: `${'['.repeat(5_000)}\\"{${'{'.repeat(5_000)}` }] }));
    expect(response.json()).to.not.include({ code: 'JSON_TOO_DEEP' });
    expect(response.statusCode).to.equal(400); // the holding lacks its other fields
  });

  it('without a token, a deep body is refused with 401 before it is parsed', async () => {
    const response = await post('POST', '/v1/claims', nested(10_000), false);
    expect(response.statusCode).to.equal(401);
  });

  it('malformed and empty JSON still answer 400 VALIDATION_FAILED', async () => {
    for (const body of ['{"a":', '']) {
      const response = await post('POST', '/v1/reports/pcaf', body);
      expect(response.statusCode, body).to.equal(400);
      expect(response.json()).to.include({ code: 'VALIDATION_FAILED' });
    }
  });
});
