/**
 * Signing sessions (docs/api.md, "Client-signed transactions"): a mutation of a caller that signs
 * itself runs as usual up to each signature Fabric needs; there it pauses, the caller is answered
 * 202 with the bytes to sign, and the mutation resumes when `POST /v1/signing/{session}` brings a
 * valid signature. The route's own code runs unchanged; a session is the suspended mutation.
 *
 * Rules: a session belongs to the caller who opened it (anyone else: 404, as for an unknown or
 * expired one); each step takes one valid signature (another one, or the same again: 409
 * SIGNING_STEP_DONE); a step not signed within the time-to-live fails the mutation (nothing was
 * sent to the orderer before the transaction step). Kept in memory only.
 */
import { createHash, randomBytes, verify, type KeyObject } from 'node:crypto';
import { ApiError } from '../problem.js';
import { isLowS, parseDerSignature, SignatureFormatError } from './der.js';
import type { SigningStepName } from './fabric-messages.js';

/** What the mutation asks its client to sign. */
export interface StepRequest {
  readonly step: SigningStepName;
  readonly transactionId: string;
  /** `contract:Function`. */
  readonly transaction: string;
  /** The bytes whose SHA-256 Fabric checks the signature against. */
  readonly message: Uint8Array;
}

/** The `signing` member of a 202 answer. */
export interface SigningStep {
  readonly session: string;
  readonly step: SigningStepName;
  readonly transactionId: string;
  readonly transaction: string;
  /** Base64 of the bytes to sign. */
  readonly message: string;
  /** Base64 of SHA-256(message). */
  readonly digest: string;
  readonly signUrl: string;
  readonly expiresAt: string;
}

/** The final answer of a mutation: what the route answers a custodial caller. */
export interface Outcome {
  readonly status: number;
  readonly body: unknown;
  /** Answered from the Idempotency-Key journal. */
  readonly replayed: boolean;
}

/** What a request (the opening one or a signature) is answered: the next step, or the outcome. */
export type SigningAnswer = { readonly kind: 'step'; readonly step: SigningStep } | { readonly kind: 'done'; readonly outcome: Outcome };

/** How a mutation asks for a signature (resolves with the checked DER signature). */
export interface StepSink {
  sign(request: StepRequest): Promise<Uint8Array>;
}

/** Options of {@link createSigningSessions}. */
export interface SigningSessionOptions {
  /** How long a step waits for its signature (default 120 s). */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/** The sessions of one gateway. */
export interface SigningSessions {
  /**
   * Runs `work` for `owner` (whose signatures `publicKey` checks): the first step to sign, or the
   * outcome when the work ends without one (a refusal throws, as for a custodial caller).
   */
  start(owner: string, publicKey: KeyObject, work: (sink: StepSink) => Promise<Outcome>): Promise<SigningAnswer>;
  /** A signature for the pending step of session `id`: the next step, or the outcome. */
  sign(owner: string, id: string, signature: Uint8Array): Promise<SigningAnswer>;
  /** Pending sessions (for tests and metrics). */
  readonly size: number;
  /** Fails every pending session (gateway shutdown). */
  close(): void;
}

export const DEFAULT_SIGNING_TTL_MS = 120_000;

type Event = SigningAnswer | { readonly kind: 'error'; readonly error: unknown };

interface PendingStep {
  readonly request: StepRequest;
  readonly resolve: (signature: Uint8Array) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Checks a signature of `message` by the holder of `publicKey`: a strict DER ECDSA signature
 * (400 SIGNATURE_INVALID otherwise, or when it does not verify) with a low S (400
 * SIGNATURE_NOT_LOW_S: Fabric refuses a high S).
 */
export function checkSignature(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): void {
  let parsed;
  try {
    parsed = parseDerSignature(signature);
  } catch (error) {
    if (error instanceof SignatureFormatError) throw new ApiError(400, 'SIGNATURE_INVALID', `the signature is not a DER-encoded ECDSA P-256 signature: ${error.message}`);
    throw error;
  }
  if (!verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, signature)) {
    throw new ApiError(400, 'SIGNATURE_INVALID', 'the signature does not verify against the caller\'s certificate for this step\'s message');
  }
  if (!isLowS(parsed)) throw new ApiError(400, 'SIGNATURE_NOT_LOW_S', 'the signature has a high S (s > n/2), which Fabric refuses: use n - s');
}

class Session {
  readonly id = randomBytes(24).toString('hex');
  #pending: PendingStep | undefined;
  #waiter: ((event: Event) => void) | undefined;
  #buffered: Event | undefined;
  readonly #accepted = new Set<string>();
  #finished = false;
  #timer: NodeJS.Timeout | undefined;
  expiresAt = 0;

  constructor(readonly owner: string, readonly publicKey: KeyObject, private readonly ttlMs: number, private readonly now: () => number, private readonly onExpired: (session: Session) => void) {}

  get finished(): boolean {
    return this.#finished;
  }

  /** Arms (or re-arms) the expiry: `ttlMs` from now. */
  touch(): void {
    this.expiresAt = this.now() + this.ttlMs;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.expire(), this.ttlMs);
    this.#timer.unref();
  }

  expire(): void {
    clearTimeout(this.#timer);
    const pending = this.#pending;
    this.#pending = undefined;
    this.#finished = true;
    pending?.reject(new ApiError(408, 'SIGNING_SESSION_EXPIRED', 'the signing session expired before this step was signed; send the request again'));
    this.onExpired(this);
  }

  /** The sink the mutation signs through. */
  readonly sink: StepSink = {
    sign: (request) => new Promise<Uint8Array>((resolve, reject) => {
      if (this.#finished) {
        reject(new ApiError(408, 'SIGNING_SESSION_EXPIRED', 'the signing session has ended'));
        return;
      }
      this.#pending = { request, resolve, reject };
      this.touch();
      this.#emit({ kind: 'step', step: this.#describe(request) });
    }),
  };

  #describe(request: StepRequest): SigningStep {
    return {
      session: this.id,
      step: request.step,
      transactionId: request.transactionId,
      transaction: request.transaction,
      message: Buffer.from(request.message).toString('base64'),
      digest: createHash('sha256').update(request.message).digest('base64'),
      signUrl: `/v1/signing/${this.id}`,
      expiresAt: new Date(this.expiresAt).toISOString(),
    };
  }

  finish(event: Event): void {
    this.#finished = true;
    this.#pending = undefined;
    this.#emit(event);
  }

  #emit(event: Event): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter !== undefined) waiter(event);
    else this.#buffered = event;
  }

  /** The next step or the outcome (a failure throws). */
  async next(): Promise<SigningAnswer> {
    const event = this.#buffered ?? await new Promise<Event>((resolve) => {
      this.#waiter = resolve;
    });
    this.#buffered = undefined;
    if (event.kind === 'error') throw event.error;
    return event;
  }

  /** Takes a signature for the pending step: checked, then handed to the mutation. */
  accept(signature: Uint8Array): void {
    const fingerprint = Buffer.from(signature).toString('base64');
    const pending = this.#pending;
    if (pending === undefined || this.#accepted.has(fingerprint)) {
      throw new ApiError(409, 'SIGNING_STEP_DONE', 'this step of the signing session has already been signed; follow the answer to the first signature');
    }
    checkSignature(this.publicKey, pending.request.message, signature);
    this.#accepted.add(fingerprint);
    this.#pending = undefined;
    pending.resolve(signature);
  }

  stopTimer(): void {
    clearTimeout(this.#timer);
  }
}

/** The in-memory signing sessions of a gateway. */
export function createSigningSessions(options: SigningSessionOptions = {}): SigningSessions {
  const ttlMs = options.ttlMs ?? DEFAULT_SIGNING_TTL_MS;
  const now = options.now ?? Date.now;
  const sessions = new Map<string, Session>();
  const forget = (session: Session): void => {
    session.stopTimer();
    sessions.delete(session.id);
  };
  /** A finished session stays (to answer a replayed signature 409) until its expiry. */
  const answer = async (session: Session): Promise<SigningAnswer> => {
    try {
      const next = await session.next();
      if (next.kind === 'done') session.touch();
      return next;
    } catch (error) {
      session.touch();
      throw error;
    }
  };
  return {
    async start(owner, publicKey, work) {
      const session = new Session(owner, publicKey, ttlMs, now, forget);
      sessions.set(session.id, session);
      work(session.sink).then(
        (outcome) => session.finish({ kind: 'done', outcome }),
        (error: unknown) => session.finish({ kind: 'error', error }),
      );
      try {
        const first = await session.next();
        if (first.kind === 'done') forget(session);
        return first;
      } catch (error) {
        forget(session);
        throw error;
      }
    },
    async sign(owner, id, signature) {
      const session = sessions.get(id);
      if (session === undefined || session.owner !== owner || now() > session.expiresAt) {
        throw new ApiError(404, 'SIGNING_SESSION_UNKNOWN', 'no signing session with this id for this caller (unknown, expired, or opened by another caller)');
      }
      if (session.finished) throw new ApiError(409, 'SIGNING_STEP_DONE', 'this signing session has finished; its answer was given to the last signature');
      session.accept(signature);
      return answer(session);
    },
    get size() {
      return sessions.size;
    },
    close() {
      for (const session of [...sessions.values()]) session.expire();
    },
  };
}
