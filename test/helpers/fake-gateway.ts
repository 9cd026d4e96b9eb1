/**
 * A gateway app over fake services (no Fabric) for fast HTTP-level unit tests: every call that
 * reaches the ledger, the event feed, the idempotency store or the credential checker is recorded,
 * so a test can assert that a refused request never reached a handler.
 */
import { createStaticDocumentLoader } from '@impact-ledger/credentials';
import {
  buildApp, createAuthenticator, createMetrics, tokenHash,
  type AppOptions, type EventFeed, type GatewayServices, type Ledger, type TypedApp,
} from '@impact-ledger/gateway';
import type { CredentialChecker, CredentialPrecheck } from '@impact-ledger/gateway';

export { rawRequest, type RawResponse } from './raw-http';

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

/** What a test may put in place of the fakes' defaults. */
export interface FakeServices {
  /** Reads the fake ledger answers (before the defaults: roles:WhoAmI, else `{}`); undefined: the default. */
  readonly evaluate?: (fqfn: string, args: readonly string[]) => unknown;
  /** The credential checker (default: one that throws) and the precheck (default: screen). */
  readonly checker?: CredentialChecker;
  readonly precheck?: CredentialPrecheck;
  /** The gateway's clock (default 2025-06-01). */
  readonly now?: Date;
}

/** A gateway app over recording fakes of every service. */
export async function fakeGateway(options: AppOptions = {}, fakes: FakeServices = {}): Promise<FakeGateway> {
  const calls: string[] = [];
  const ledger: Ledger = {
    channel: 'fake', chaincode: 'fake',
    // roles:WhoAmI (GET /v1/roles/me) answers a well-formed caller; the typed client refuses a malformed one
    evaluate: async (_user, fqfn, args) => fakes.evaluate?.(fqfn, args)
      ?? (fqfn === 'roles:WhoAmI' ? { identity: 'x509::/CN=fake', mspId: 'Org1MSP', operator: false, roles: [] } : {}),
    submit: async () => ({ result: {}, txId: 'tx', blockNumber: 1 } as Awaited<ReturnType<Ledger['submit']>>),
    recover: async () => undefined,
    waitForBlock: async () => new Promise((resolve) => setTimeout(resolve, 2_000)),
    blockOf: async () => 1,
    rawBlock: async () => new Uint8Array(),
    ping: async () => ({ peer: 'peer0.fake', ownPeer: true }),
    chaincodeEvents: async () => { throw new Error('no events in the fake ledger'); },
    close: () => undefined,
  };
  const events: EventFeed = {
    start: () => undefined,
    // one recorded event, then nothing new until closed
    follow: () => {
      let close = (): void => undefined;
      const ended = new Promise<void>((resolve) => { close = resolve; });
      return {
        async *[Symbol.asyncIterator]() {
          yield { id: '1:0', block: 1, index: 0, name: 'Fake', txId: 'tx', payload: {} };
          await ended;
        },
        close: () => close(),
      };
    },
    position: () => undefined,
    close: () => undefined,
  };
  const checker: CredentialChecker = {
    threads: 0,
    check: async () => { throw new Error('fake checker'); },
    checkIntegrity: async () => { throw new Error('fake checker'); },
    screen: async () => { throw new Error('fake checker'); },
    close: async () => undefined,
  };
  const services: GatewayServices = {
    mspId: 'Org1MSP',
    ledger: recording('ledger', calls, ledger),
    authenticator: createAuthenticator([{ sha256: tokenHash(FAKE_TOKEN), user: 'User1@org1.impact.local' }]),
    idempotency: recording('idempotency', calls, {
      run: async (_request, work) => ({ ...(await work.run(async () => undefined)), replayed: false }),
      close: () => undefined,
    } satisfies GatewayServices['idempotency']),
    events: recording('events', calls, events),
    metrics: createMetrics(),
    credentials: {
      checker: recording('checker', calls, fakes.checker ?? checker),
      precheck: fakes.precheck ?? 'screen',
      documentLoader: createStaticDocumentLoader(),
      now: () => fakes.now ?? new Date('2025-06-01T00:00:00Z'),
      networkSecret: 'fake-network-secret-0123456789',
    },
  };
  return { app: await buildApp(services, options), calls };
}
