/**
 * Connection limits of the gateway's HTTP server: a slowly sent request (headers or body) is
 * closed within the configured timeouts, a 401 closes its connection, an idle kept-alive
 * connection is closed after the keep-alive timeout, a client IP gets at most the configured
 * number of concurrent connections, and a server-sent events stream outlives all the timeouts.
 * The limits come from the gateway's typed configuration (IL_GATEWAY_* variables).
 */
import { ConfigError, loadConfig } from '@impact-ledger/gateway';
import { expect } from 'chai';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { fakeGateway, FAKE_TOKEN, type FakeGateway } from '../helpers/fake-gateway';

const LIMITS = { requestTimeoutMs: 1_000, headersTimeoutMs: 600, keepAliveTimeoutMs: 500, maxPerIp: 4 };

/** A raw socket to the gateway, with what it received and when it closed. */
interface Probe {
  socket: net.Socket;
  received(): string;
  /** Resolves with the ms from `since` when the server closed the connection, or -1 after `waitMs`. */
  closedWithin(waitMs: number): Promise<number>;
}

function probe(port: number): Promise<Probe> {
  return new Promise((resolve, reject) => {
    let data = '';
    let closedAt: number | undefined;
    const waiters: (() => void)[] = [];
    const socket = net.connect({ host: '127.0.0.1', port }, () => resolve({
      socket,
      received: () => data,
      closedWithin: (waitMs) => {
        const since = Date.now();
        if (closedAt !== undefined) return Promise.resolve(0);
        return new Promise((done) => {
          const timer = setTimeout(() => done(-1), waitMs);
          waiters.push(() => { clearTimeout(timer); done(Date.now() - since); });
        });
      },
    }));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { data += chunk; });
    socket.on('error', () => undefined);
    socket.on('close', () => { closedAt = Date.now(); for (const waiter of waiters.splice(0)) waiter(); });
    socket.once('error', reject);
  });
}

describe('gateway: connection timeouts and the per-IP connection cap', function () {
  this.timeout(30_000);
  let gateway: FakeGateway;
  let port: number;
  const open: net.Socket[] = [];

  before(async () => {
    gateway = await fakeGateway({ connections: LIMITS });
    await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    port = (gateway.app.server.address() as AddressInfo).port;
  });

  afterEach(() => {
    for (const socket of open.splice(0)) socket.destroy();
  });

  after(async () => {
    await gateway.app.close();
  });

  async function connect(): Promise<Probe> {
    const p = await probe(port);
    open.push(p.socket);
    return p;
  }

  it('headers sent but never finished: closed within the headers timeout', async () => {
    const p = await connect();
    p.socket.write(`GET /v1/roles/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${FAKE_TOKEN}\r\n`);
    const closed = await p.closedWithin(LIMITS.headersTimeoutMs + 2_500);
    expect(closed, 'closed').to.be.greaterThan(-1);
  });

  it('with a token, headers and a partial body: closed within the request timeout (408)', async () => {
    const p = await connect();
    p.socket.write(`POST /v1/reports/pcaf HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${FAKE_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"holdings":`);
    const closed = await p.closedWithin(LIMITS.requestTimeoutMs + 2_500);
    expect(closed, 'closed').to.be.greaterThan(-1);
    expect(p.received()).to.match(/^HTTP\/1\.1 408/);
  });

  it('without a token, a partial body: the 401 closes the connection', async () => {
    const p = await connect();
    p.socket.write('POST /v1/reports/pcaf HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"holdings":');
    const closed = await p.closedWithin(2_000);
    expect(p.received()).to.match(/^HTTP\/1\.1 401/);
    expect(p.received().toLowerCase()).to.contain('connection: close');
    expect(closed, 'closed').to.be.greaterThan(-1);
  });

  it('without a token, a complete kept-alive request: the 401 says Connection: close and closes', async () => {
    const p = await connect();
    p.socket.write('GET /v1/roles/me HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    const closed = await p.closedWithin(2_000);
    expect(p.received()).to.match(/^HTTP\/1\.1 401/);
    expect(p.received().toLowerCase()).to.contain('connection: close');
    expect(closed, 'closed').to.be.greaterThan(-1);
  });

  it('an idle kept-alive connection is closed after the keep-alive timeout', async () => {
    const p = await connect();
    p.socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`);
    const closed = await p.closedWithin(LIMITS.keepAliveTimeoutMs + 2_500);
    expect(p.received()).to.match(/^HTTP\/1\.1 200/);
    expect(closed, 'closed').to.be.greaterThan(-1);
  });

  it('the (cap+1)th concurrent connection of one IP is closed at once; the others keep working', async () => {
    const allowed = await Promise.all(Array.from({ length: LIMITS.maxPerIp }, () => connect()));
    const refused = await connect();
    expect(await refused.closedWithin(1_000), 'the extra connection is closed').to.be.greaterThan(-1);
    expect(refused.received()).to.equal('');
    for (const p of allowed) p.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const p of allowed) expect(p.received()).to.match(/^HTTP\/1\.1 200/);
    allowed[0]?.socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await connect();
    again.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(again.received(), 'a slot freed by a closed connection is usable').to.match(/^HTTP\/1\.1 200/);
  });

  it('a server-sent events stream outlives the request, headers and keep-alive timeouts', async () => {
    const p = await connect();
    p.socket.write(`GET /v1/events?from=start HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${FAKE_TOKEN}\r\nAccept: text/event-stream\r\n\r\n`);
    const closed = await p.closedWithin(LIMITS.requestTimeoutMs * 4);
    expect(closed, 'the stream is still open').to.equal(-1);
    expect(p.received()).to.match(/^HTTP\/1\.1 200/).and.to.contain('id: 1:0');
  });
});

describe('gateway configuration: connection limits', () => {
  const base = { IL_GATEWAY_MSP_ID: 'Org1MSP', IL_NETWORK_JSON: 'n.json', IL_GATEWAY_API_KEYS: 'k.json', IL_GATEWAY_DATA_DIR: 'd', IL_NETWORK_SECRET: 's'.repeat(16) };

  it('has defaults: 30 s per request, 10 s for headers, 5 s keep-alive, 256 connections per IP', () => {
    expect(loadConfig(base).connections).to.deep.equal({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxPerIp: 256 });
  });

  it('reads IL_GATEWAY_REQUEST_TIMEOUT_MS, IL_GATEWAY_HEADERS_TIMEOUT_MS, IL_GATEWAY_KEEP_ALIVE_TIMEOUT_MS, IL_GATEWAY_MAX_CONNECTIONS_PER_IP', () => {
    const config = loadConfig({ ...base, IL_GATEWAY_REQUEST_TIMEOUT_MS: '20000', IL_GATEWAY_HEADERS_TIMEOUT_MS: '4000', IL_GATEWAY_KEEP_ALIVE_TIMEOUT_MS: '2000', IL_GATEWAY_MAX_CONNECTIONS_PER_IP: '8' });
    expect(config.connections).to.deep.equal({ requestTimeoutMs: 20_000, headersTimeoutMs: 4_000, keepAliveTimeoutMs: 2_000, maxPerIp: 8 });
  });

  it('refuses a headers timeout above the request timeout, and a cap of 0, naming the variable', () => {
    for (const [env, variable] of [
      [{ IL_GATEWAY_REQUEST_TIMEOUT_MS: '1000', IL_GATEWAY_HEADERS_TIMEOUT_MS: '2000' }, 'IL_GATEWAY_HEADERS_TIMEOUT_MS'],
      [{ IL_GATEWAY_MAX_CONNECTIONS_PER_IP: '0' }, 'IL_GATEWAY_MAX_CONNECTIONS_PER_IP'],
    ] as const) {
      expect(() => loadConfig({ ...base, ...env })).to.throw(ConfigError, variable);
    }
  });
});
