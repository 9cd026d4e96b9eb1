/**
 * What every route needs: the typed Fastify instance, the caller of a request, reads and
 * idempotent writes on the ledger as that caller, and the gateway's services.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { Authenticator, Caller } from '../auth.js';
import type { DocumentLoader } from '@impact-ledger/credentials';
import type { CertificateKey } from '../certificates/issuer-key.js';
import type { CredentialChecker } from '../credentials/checker.js';
import type { EventFeed } from '../fabric/event-feed.js';
import { chaincodeClient, ledgerTransport, type ImpactChaincode } from '../fabric/chaincode-client.js';
import type { Ledger } from '../fabric/ledger.js';
import type { AttemptRecorder, IdempotencyStore } from '../idempotency.js';
import type { GatewayMetrics } from '../metrics.js';
import { ApiError } from '../problem.js';

/** The Fastify instance with TypeBox types. */
export type TypedApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** How credentials are checked: the clock, loader, size limit and the network secret for salts. */
export interface CredentialSettings {
  /** Runs the credential checks (a worker-thread pool in a running gateway). */
  readonly checker: CredentialChecker;
  /** The static loader, for what runs on the main thread. */
  readonly documentLoader: DocumentLoader;
  readonly now: () => Date;
  /** Shared by every gateway of the network: pseudonym salts derive from it per impact category. */
  readonly networkSecret: string;
}

/** Retirement certificates: the organisation's certificate key and where certificates link to. */
export interface CertificateSettings {
  readonly key: CertificateKey;
  /** Base URL of this gateway in certificates' audit bundle links (`publicUrl`, else the URL it listens on). */
  readonly publicUrl: () => string;
}

/** The services a gateway app is built from (injected, so tests can replace any of them). */
export interface GatewayServices {
  readonly mspId: string;
  readonly ledger: Ledger;
  readonly authenticator: Authenticator;
  readonly idempotency: IdempotencyStore;
  readonly events: EventFeed;
  readonly metrics: GatewayMetrics;
  readonly credentials: CredentialSettings;
  /** Absent: this gateway issues no retirement certificates (503 CERTIFICATES_UNAVAILABLE). */
  readonly certificates?: CertificateSettings;
}

/** The response of a mutation. */
export interface CommittedResponse {
  readonly result: unknown;
  readonly txId: string;
  readonly blockNumber: number;
}

/** Route helpers bound to the services. */
export interface RouteContext {
  readonly services: GatewayServices;
  /** The authenticated caller (set by the auth hook). */
  caller(request: FastifyRequest): Caller;
  /**
   * The typed chaincode as the caller: its submissions report to the request's idempotency
   * journal when they run inside `mutate`.
   */
  chaincode(request: FastifyRequest): ImpactChaincode;
  /**
   * Runs a mutation under the request's Idempotency-Key (if any) and sends its response with
   * `status`; `work` usually submits one transaction.
   */
  mutate(request: FastifyRequest, reply: FastifyReply, status: number, work: () => Promise<CommittedResponse>): Promise<void>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Answers without a caller (operations routes, the dashboard's static files). Every other
     * route the router matches is authenticated (app.ts), whatever spelling of its path matched.
     */
    public?: boolean;
  }
}

const callers = new WeakMap<FastifyRequest, Caller>();
/** The journal hook of a request running under an Idempotency-Key. */
const recorders = new WeakMap<FastifyRequest, AttemptRecorder>();

/** Records the caller of a request (the auth hook). */
export function setCaller(request: FastifyRequest, caller: Caller): void {
  callers.set(request, caller);
}

function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  return Array.isArray(header) ? header[0] : header;
}

/** The route helpers over `services`. */
export function createRouteContext(services: GatewayServices): RouteContext {
  const caller = (request: FastifyRequest): Caller => {
    const found = callers.get(request);
    if (found === undefined) throw new ApiError(401, 'UNAUTHENTICATED', 'this route needs a bearer token');
    return found;
  };
  // The recorder is looked up per submission: a client made before `mutate` starts still reports.
  const chaincode = (request: FastifyRequest): ImpactChaincode => chaincodeClient(ledgerTransport(services.ledger, caller(request).user, (prepared) => recorders.get(request)?.(prepared)));
  const mutate = async (request: FastifyRequest, reply: FastifyReply, status: number, work: () => Promise<CommittedResponse>): Promise<void> => {
    const key = idempotencyKeyOf(request);
    if (key === undefined) {
      await reply.code(status).send(await work());
      return;
    }
    const user = caller(request).user;
    const outcome = await services.idempotency.run({ caller: user, key, method: request.method, url: request.url, body: request.body }, {
      run: async (record) => {
        recorders.set(request, record);
        try {
          return { status, body: await work() };
        } finally {
          recorders.delete(request);
        }
      },
      recover: async (attempts) => {
        const committed = await services.ledger.recover(user, attempts);
        return committed === undefined ? undefined : { status, body: committed };
      },
    });
    if (outcome.replayed) void reply.header('idempotent-replayed', 'true');
    await reply.code(outcome.status).send(outcome.body);
  };
  return {
    services,
    caller,
    chaincode,
    mutate,
  };
}
