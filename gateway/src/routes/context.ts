/**
 * What every route needs: the typed Fastify instance, the caller of a request, reads and
 * idempotent writes on the ledger as that caller, and the gateway's services.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { Authenticator, Caller } from '../auth.js';
import type { DocumentLoader } from '@impact-ledger/credentials';
import type { CertificateKey } from '../certificates/issuer-key.js';
import type { CredentialChecker, CredentialPrecheck } from '../credentials/checker.js';
import type { EventFeed } from '../fabric/event-feed.js';
import { chaincodeClient, ledgerTransport, type ImpactChaincode } from '../fabric/chaincode-client.js';
import type { Ledger, PreparedTransaction } from '../fabric/ledger.js';
import type { AttemptRecorder, IdempotencyStore } from '../idempotency.js';
import type { GatewayMetrics } from '../metrics.js';
import { ApiError } from '../problem.js';
import type { ClientSigner, Custody } from '../signing/custody.js';
import { sendSigningAnswer } from '../signing/routes.js';
import type { Outcome, SigningSessions, StepSink } from '../signing/sessions.js';
import { custodialTransport, signingTransport } from '../signing/transport.js';

/** The Fastify instance with TypeBox types. */
export type TypedApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** How credentials are checked: the clock, loader, size limit and the network secret for salts. */
export interface CredentialSettings {
  /** Runs the credential checks (a worker-thread pool in a running gateway). */
  readonly checker: CredentialChecker;
  /** What a claim submission's credential is checked for here before the peers check it all. */
  readonly precheck: CredentialPrecheck;
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

/**
 * Client signing (docs/trust-model.md, "Custody"): who signs whose transactions, the pending
 * signing sessions, the identity reads of client-signing callers run as.
 */
export interface SigningServices {
  readonly custody: Custody;
  readonly sessions: SigningSessions;
  /** The organisation's Admin (network.json user name). */
  readonly readAs: string;
  readonly maxSubmitAttempts: number;
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
  /** Absent: the gateway signs for every caller (test doubles). */
  readonly signing?: SigningServices;
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
   * `status`; `work` usually submits one transaction. For a caller that signs itself, the
   * mutation runs in a signing session: answered 202 with each step to sign, and its response
   * goes to the request that signs the last step (POST /v1/signing/{session}).
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
/** The signing session of a client-signing caller's mutation. */
const sinks = new WeakMap<FastifyRequest, StepSink>();

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
  const signerOf = (request: FastifyRequest): ClientSigner | undefined => services.signing?.custody.clientSigner(caller(request).user);
  // The recorder is looked up per submission: a client made before `mutate` starts still reports.
  const chaincode = (request: FastifyRequest): ImpactChaincode => {
    const user = caller(request).user;
    const onPrepared = async (prepared: PreparedTransaction): Promise<void> => recorders.get(request)?.(prepared);
    const signer = signerOf(request);
    const signing = services.signing;
    if (signer === undefined || signing === undefined) return chaincodeClient(custodialTransport(ledgerTransport(services.ledger, user, onPrepared)));
    return chaincodeClient(signingTransport({
      ledger: services.ledger, signer, readAs: signing.readAs, maxSubmitAttempts: signing.maxSubmitAttempts, sink: () => sinks.get(request), onPrepared,
    }));
  };
  const execute = async (request: FastifyRequest, status: number, work: () => Promise<CommittedResponse>, recoverAs: string): Promise<Outcome> => {
    const key = idempotencyKeyOf(request);
    if (key === undefined) return { status, body: await work(), replayed: false };
    const user = caller(request).user;
    return services.idempotency.run({ caller: user, key, method: request.method, url: request.url, body: request.body }, {
      run: async (record) => {
        recorders.set(request, record);
        try {
          return { status, body: await work() };
        } finally {
          recorders.delete(request);
        }
      },
      recover: async (attempts) => {
        // a client-signed transaction is already signed: sent again and followed as the Admin
        const committed = await services.ledger.recover(recoverAs, attempts);
        return committed === undefined ? undefined : { status, body: committed };
      },
    });
  };
  const mutate = async (request: FastifyRequest, reply: FastifyReply, status: number, work: () => Promise<CommittedResponse>): Promise<void> => {
    const user = caller(request).user;
    const signer = signerOf(request);
    const signing = services.signing;
    if (signer === undefined || signing === undefined) {
      await sendSigningAnswer(reply, { kind: 'done', outcome: await execute(request, status, work, user) });
      return;
    }
    const answer = await signing.sessions.start(user, signer.publicKey, (sink) => {
      sinks.set(request, sink);
      return execute(request, status, work, signing.readAs);
    });
    await sendSigningAnswer(reply, answer);
  };
  return {
    services,
    caller,
    chaincode,
    mutate,
  };
}
