/**
 * A gateway app over fake services (no Fabric) for fast HTTP-level unit tests: every call that
 * reaches the ledger, the event feed, the idempotency store or the credential checker is recorded,
 * so a test can assert that a refused request never reached a handler. Also a raw HTTP request
 * helper that sends the request target exactly as given (absolute form, dot segments, ...).
 */
import {
  buildApp, createAuthenticator, createMetrics, createStaticDocumentLoader, tokenHash,
  type AppOptions, type EventFeed, type GatewayServices, type Ledger, type TypedApp,
} from '@impact-ledger/gateway';
import type { CredentialChecker } from '@impact-ledger/gateway';
import http from 'node:http';

/** The bearer token the fake gateway knows (User1 of org 1). */
export const FAKE_TOKEN = 'fake-gateway-token-0123456789abcdef';

/** A fake gateway: the app and what reached its services. */
export interface FakeGateway {
  app: TypedApp;
  /** `service.method` of every call that reached a service, in order. */
  calls: string[];
}

function recording<T extends object>(name: string, calls: string[], target: T): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls.push(`${name}.${property}`);
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

/** A gateway app over recording fakes of every service. */
export async function fakeGateway(options: AppOptions = {}): Promise<FakeGateway> {
  const calls: string[] = [];
  const ledger: Ledger = {
    channel: 'fake', chaincode: 'fake',
    evaluate: async () => ({}),
    submit: async () => ({ result: {}, txId: 'tx', blockNumber: 1 } as Awaited<ReturnType<Ledger['submit']>>),
    recover: async () => undefined,
    waitForBlock: async () => new Promise((resolve) => setTimeout(resolve, 2_000)),
    blockOf: async () => 1,
    rawBlock: async () => new Uint8Array(),
    ping: async () => undefined,
    chaincodeEvents: async () => { throw new Error('no events in the fake ledger'); },
    close: () => undefined,
  };
  const events: EventFeed = {
    start: () => undefined,
    subscribe: () => ({ backlog: [{ id: '1:0', block: 1, index: 0, name: 'Fake', txId: 'tx', payload: {} }], unsubscribe: () => undefined }),
    position: () => undefined,
    close: () => undefined,
  };
  const checker: CredentialChecker = {
    threads: 0,
    check: async () => { throw new Error('fake checker'); },
    checkIntegrity: async () => { throw new Error('fake checker'); },
    close: async () => undefined,
  };
  const services: GatewayServices = {
    mspId: 'Org1MSP',
    ledger: recording('ledger', calls, ledger),
    authenticator: createAuthenticator([{ sha256: tokenHash(FAKE_TOKEN), user: 'User1@org1.impact.local' }]),
    idempotency: recording('idempotency', calls, {
      run: async (_request, work) => ({ ...(await work.run(() => undefined)), replayed: false }),
      close: () => undefined,
    } satisfies GatewayServices['idempotency']),
    events: recording('events', calls, events),
    metrics: createMetrics(),
    credentials: {
      checker: recording('checker', calls, checker),
      documentLoader: createStaticDocumentLoader(),
      now: () => new Date('2025-06-01T00:00:00Z'),
      networkSecret: 'fake-network-secret-0123456789',
    },
  };
  return { app: await buildApp(services, options), calls };
}

/** A raw response: status, headers, body text; `timedOut` when no complete response came in time. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  timedOut: boolean;
}

/**
 * Sends `method target` to `port` with the target exactly as given (no normalisation, any form),
 * on a fresh connection; resolves with what came back within `timeoutMs`.
 */
export function rawRequest(port: number, method: string, target: string, options: { headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<RawResponse> {
  return new Promise((resolve) => {
    let settled = false;
    const length = options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) };
    const request = http.request({ host: '127.0.0.1', port, method, path: target, agent: false, headers: { ...length, ...options.headers } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { text += chunk; });
      response.on('end', () => finish({ status: response.statusCode ?? 0, headers: response.headers, text, timedOut: false }));
      timer.refresh();
      onTimeout = () => finish({ status: response.statusCode ?? 0, headers: response.headers, text, timedOut: true });
    });
    let onTimeout = (): void => finish({ status: 0, headers: {}, text: '', timedOut: true });
    const timer = setTimeout(() => onTimeout(), options.timeoutMs ?? 3_000);
    function finish(response: RawResponse): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(response);
    }
    // a response the client cannot parse (e.g. a body after a HEAD) is an answer too: status 0
    request.on('error', (error) => finish({ status: 0, headers: {}, text: `client error: ${error.message}`, timedOut: false }));
    request.end(options.body);
  });
}
