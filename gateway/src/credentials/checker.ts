/**
 * Where credential checks run. A check is CPU work (JSON-LD expansion, three RDFC-1.0
 * canonicalisations, an Ed25519 verification: ~5 ms on an idle core of the reference machine,
 * 15-25 ms on a shared one). By default it runs on the event loop; `IL_GATEWAY_CHECK_THREADS=N`
 * runs it on a pool of N worker threads instead, for hosts with cores to spare. On the 2-core
 * reference machine, shared with the peers, the pool measured slower (HTTP claim submission
 * 0.66-0.80 of the direct client's rate against 0.86-0.93 inline: results waited ~120 ms for the
 * busy main thread), hence the default. Both checkers give the same answers: each calls
 * `checkCredential` / `checkCredentialIntegrity` with the static document loader.
 */
import { Piscina } from 'piscina';
import {
  checkCredential, checkCredentialIntegrity, CredentialError, screenCredential,
  type CheckOptions, type CredentialCheckResult, type CredentialErrorCode, type CredentialPolicy, type IntegrityCheckResult, type IssuerPolicy, type JsonObject,
  type ScreenResult, type SubjectPolicy,
} from '@impact-ledger/credentials';

/** Checks credentials with a fixed document loader and size limit, against the time given. */
export interface CredentialChecker {
  /** `checkCredential` (a protocol's whole policy); throws only a CredentialError for a bad policy. */
  check(credential: unknown, policy: CredentialPolicy, now: Date): Promise<CredentialCheckResult>;
  /** `checkCredentialIntegrity` (authentic and current, for any protocol). */
  checkIntegrity(credential: unknown, policy: IssuerPolicy, now: Date): Promise<IntegrityCheckResult>;
  /** `screenCredential` (the cheap part of `check`), always on the calling thread. */
  screen(credential: unknown, policy: SubjectPolicy, now: Date): Promise<ScreenResult>;
  /** Worker threads in use (0: checks run on the calling thread). */
  readonly threads: number;
  /** Stops the worker threads (pending checks are rejected). */
  close(): Promise<void>;
}

/** Checks on the calling thread (tests, tools, a gateway configured with 0 threads). */
export function inlineChecker(options: Omit<CheckOptions, 'now'>): CredentialChecker {
  return {
    threads: 0,
    check: (credential, policy, now) => checkCredential(credential, policy, { ...options, now }),
    checkIntegrity: (credential, policy, now) => checkCredentialIntegrity(credential, policy, { ...options, now }),
    screen: (credential, policy, now) => screenCredential(credential, policy, { maxBytes: options.maxBytes, now }),
    close: async () => undefined,
  };
}

/** What the main thread sends a worker (structured-cloned). */
export interface CheckTask {
  readonly kind: 'check' | 'integrity';
  readonly credential: unknown;
  readonly policy: CredentialPolicy | IssuerPolicy;
  readonly now: number;
  readonly maxBytes: number;
}

/** What a worker answers: the result, or the CredentialError it threw (classes do not cross threads). */
export type CheckAnswer =
  | { readonly result: CredentialCheckResult | IntegrityCheckResult }
  | { readonly error: { readonly code: CredentialErrorCode; readonly message: string; readonly details: JsonObject } };

/** Threads the gateway uses when not told: none (checks on the event loop; see above). */
export const DEFAULT_CHECK_THREADS = 0;

/**
 * What a gateway checks of a credential before it submits the claim: `screen`
 * (`screenCredential`: no JSON-LD processing, no signature) or `full` (`checkCredential`). The
 * endorsing peers run `checkCredential` either way: that check binds, this one only answers early.
 */
export type CredentialPrecheck = 'screen' | 'full';

/**
 * The precheck a gateway runs when not told: the screen. Measured on the 2-core reference machine
 * (`npm run bench -- --stages http`, 4 runs each way, alternating; bench/README "Gateway
 * precheck"): 17.9 ms of gateway CPU per HTTP claim submission against 26.2 with the whole check;
 * the endorsing peers check every credential in full anyway.
 */
export const DEFAULT_CREDENTIAL_PRECHECK: CredentialPrecheck = 'screen';

function unwrap<T>(answer: CheckAnswer): T {
  if ('error' in answer) throw new CredentialError(answer.error.code, answer.error.message, answer.error.details);
  return answer.result as T;
}

/**
 * Checks on `threads` worker threads (Piscina), each with its own static document loader (the
 * bundled contexts and did:key only, as `createStaticDocumentLoader()`). Tasks queue when every
 * thread is busy; the queue is bounded by the HTTP layer's own concurrency.
 */
export function threadPoolChecker(options: { readonly threads: number; readonly maxBytes: number }): CredentialChecker {
  const pool = new Piscina<CheckTask, CheckAnswer>({
    filename: new URL('./check-worker.js', import.meta.url).href,
    minThreads: options.threads,
    maxThreads: options.threads,
    // a credential check holds no state between tasks; an idle thread stays ready
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  const run = async <T>(task: Omit<CheckTask, 'maxBytes'>): Promise<T> => unwrap<T>(await pool.run({ ...task, maxBytes: options.maxBytes }));
  return {
    threads: options.threads,
    check: (credential, policy, now) => run<CredentialCheckResult>({ kind: 'check', credential, policy, now: now.getTime() }),
    checkIntegrity: (credential, policy, now) => run<IntegrityCheckResult>({ kind: 'integrity', credential, policy, now: now.getTime() }),
    // a screen costs less than handing the credential to a thread
    screen: (credential, policy, now) => screenCredential(credential, policy, { maxBytes: options.maxBytes, now }),
    close: () => pool.destroy(),
  };
}
