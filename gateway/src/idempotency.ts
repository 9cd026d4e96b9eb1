/**
 * The durable `Idempotency-Key` table: a retried mutation with the same key from the same caller
 * gets the first stored response and never makes a second transaction, also after a restart.
 *
 * Stored as an append-only JSON-lines journal in the data dir, fsynced per record, loaded at
 * start. A mutation journals each transaction it is about to send to the orderer (its id and
 * signed bytes) *before* sending it, and its response once committed. A crash or a lost commit
 * status between the two leaves a pending key: its retry first asks the ledger what became of
 * the journaled transactions (`recover`) and answers from there, so the window between commit
 * and journal write can never produce a second transaction.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from './problem.js';

/** A response kept for replay. */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

/** A transaction a mutation sent (or was about to send) to the orderer. */
export interface TransactionAttempt {
  readonly txId: string;
  /** The endorsed transaction, base64 of its serialised form: it can be sent again as is (same id). */
  readonly transaction: string;
}

/** Journal lines: a transaction about to be sent for a key, or the key's final response. */
type JournalRecord =
  | { readonly kind: 'attempt'; readonly key: string; readonly fingerprint: string; readonly attempt: TransactionAttempt; readonly at: string }
  | { readonly kind?: 'response'; readonly key: string; readonly fingerprint: string; readonly status: number; readonly body: unknown; readonly at: string };

/** Where a response record lies in the journal (bytes). */
interface JournalSpan {
  readonly offset: number;
  readonly length: number;
}

/**
 * What is known of a key: its attempts until it has a response, then where its response lies in
 * the journal. Responses are read back from the journal on a replay (rare), so a settled key
 * costs memory for its name and fingerprint only: the table no longer grows by every response
 * body and signed transaction the gateway sent (the soak measured ~9 MB a minute of journal).
 */
interface KeyState {
  fingerprint: string;
  attempts: TransactionAttempt[];
  response?: JournalSpan;
}

/** The request as far as key reuse is judged: method, route, parameters and body. */
export interface IdempotentRequest {
  readonly caller: string;
  readonly key: string;
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
}

/** Journals a transaction before it is sent to the orderer. */
export type AttemptRecorder = (attempt: TransactionAttempt) => void;

/** How a mutation runs under a key. */
export interface IdempotentWork {
  /** Does the work; calls `record` with each transaction before sending it. */
  run(record: AttemptRecorder): Promise<StoredResponse>;
  /**
   * After a crash or a lost commit status: the response of whichever journaled transaction
   * committed (sending the last one again if the ledger has not seen it), or undefined when none
   * did and the work must run again.
   */
  recover(attempts: readonly TransactionAttempt[]): Promise<StoredResponse | undefined>;
}

/** The idempotency table. */
export interface IdempotencyStore {
  /**
   * Runs `work` once per (caller, key): returns the stored response of an earlier request with the
   * same key and body; throws 422 IDEMPOTENCY_KEY_REUSED for another body, 409
   * IDEMPOTENCY_KEY_IN_FLIGHT while the first is still running. A request that failed before any
   * transaction was sent leaves the key free for a retry; one that sent a transaction is recovered.
   */
  run(request: IdempotentRequest, work: IdempotentWork): Promise<StoredResponse & { readonly replayed: boolean }>;
  /** Closes the journal. */
  close(): void;
}

const MAX_KEY_LENGTH = 200;

function fingerprintOf(request: IdempotentRequest): string {
  return createHash('sha256').update(JSON.stringify([request.method, request.url, request.body ?? null])).digest('hex');
}

function scopedKey(request: IdempotentRequest): string {
  return `${request.caller}\u0000${request.key}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isJournalRecord(value: unknown): value is JournalRecord {
  if (!isObject(value) || typeof value.key !== 'string' || typeof value.fingerprint !== 'string') return false;
  if (value.kind === 'attempt') return isObject(value.attempt) && typeof value.attempt.txId === 'string' && typeof value.attempt.transaction === 'string';
  return typeof value.status === 'number';
}

/** Reads the journal and its size in bytes; a torn last line (crash mid-write) is ignored. */
function readJournal(file: string): { states: Map<string, KeyState>; size: number; endsTorn: boolean } {
  const states = new Map<string, KeyState>();
  if (!existsSync(file)) return { states, size: 0, endsTorn: false };
  const bytes = readFileSync(file);
  let offset = 0;
  while (offset < bytes.length) {
    const end = bytes.indexOf(0x0a, offset);
    const next = end === -1 ? bytes.length : end + 1;
    const line = bytes.subarray(offset, end === -1 ? bytes.length : end).toString('utf8');
    let record: unknown;
    try {
      record = line.trim() === '' ? undefined : JSON.parse(line);
    } catch {
      record = undefined; // an incomplete trailing line from a crash: its write never completed
    }
    if (isJournalRecord(record)) apply(states, record, { offset, length: next - offset });
    offset = next;
  }
  return { states, size: bytes.length, endsTorn: bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a };
}

function apply(states: Map<string, KeyState>, record: JournalRecord, span: JournalSpan): void {
  const state = states.get(record.key) ?? { fingerprint: record.fingerprint, attempts: [] };
  if (record.kind === 'attempt') state.attempts.push(record.attempt);
  else {
    // The response settles the key: its transactions (kept for recovery only) stay in the journal.
    state.response = span;
    state.attempts = [];
  }
  states.set(record.key, state);
}

class JournalIdempotencyStore implements IdempotencyStore {
  readonly #states: Map<string, KeyState>;
  readonly #inFlight = new Map<string, string>();
  readonly #fd: number;
  readonly #reader: number;
  #size: number;

  constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    const journal = readJournal(file);
    this.#states = journal.states;
    this.#size = journal.size;
    this.#fd = openSync(file, 'a');
    this.#reader = openSync(file, 'r');
    if (journal.endsTorn) {
      // End the torn line so the next record starts a line of its own.
      writeSync(this.#fd, '\n');
      this.#size += 1;
    }
  }

  /** The stored response at `span` of the journal. */
  #response(span: JournalSpan): StoredResponse {
    const bytes = Buffer.alloc(span.length);
    readSync(this.#reader, bytes, 0, span.length, span.offset);
    const record: unknown = JSON.parse(bytes.toString('utf8'));
    if (!isJournalRecord(record) || record.kind === 'attempt') throw new Error(`the idempotency journal holds no response at byte ${span.offset}`);
    return { status: record.status, body: record.body };
  }

  async run(request: IdempotentRequest, work: IdempotentWork): Promise<StoredResponse & { replayed: boolean }> {
    if (request.key.length === 0 || request.key.length > MAX_KEY_LENGTH) {
      throw new ApiError(400, 'INVALID_IDEMPOTENCY_KEY', `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters`);
    }
    const key = scopedKey(request);
    const fingerprint = fingerprintOf(request);
    const known = this.#states.get(key);
    if (known?.response !== undefined) {
      const replayed = this.#assertSame(known.fingerprint, fingerprint);
      return { ...this.#response(known.response), replayed };
    }
    const running = this.#inFlight.get(key);
    if (running !== undefined) {
      this.#assertSame(running, fingerprint);
      throw new ApiError(409, 'IDEMPOTENCY_KEY_IN_FLIGHT', 'a request with this Idempotency-Key is still being processed; retry when it has finished');
    }
    if (known !== undefined) this.#assertSame(known.fingerprint, fingerprint);
    this.#inFlight.set(key, fingerprint);
    try {
      if (known !== undefined && known.attempts.length > 0) {
        const recovered = await work.recover(known.attempts);
        if (recovered !== undefined) {
          this.#append({ key, fingerprint, status: recovered.status, body: recovered.body, at: new Date().toISOString() });
          return { ...recovered, replayed: true };
        }
      }
      const response = await work.run((attempt) => this.#append({ kind: 'attempt', key, fingerprint, attempt, at: new Date().toISOString() }));
      this.#append({ key, fingerprint, status: response.status, body: response.body, at: new Date().toISOString() });
      return { ...response, replayed: false };
    } finally {
      this.#inFlight.delete(key);
    }
  }

  #assertSame(first: string, again: string): true {
    if (first === again) return true;
    throw new ApiError(422, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request; use a new key for a new request');
  }

  #append(record: JournalRecord): void {
    const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    writeSync(this.#fd, line);
    fsyncSync(this.#fd);
    apply(this.#states, record, { offset: this.#size, length: line.length });
    this.#size += line.length;
  }

  close(): void {
    closeSync(this.#fd);
    closeSync(this.#reader);
  }
}

/** The journal file in a gateway's data dir. */
export function idempotencyJournalPath(dataDir: string): string {
  return path.join(dataDir, 'idempotency.jsonl');
}

/** Opens (or creates) the journal `idempotency.jsonl` in `dataDir`. */
export function openIdempotencyStore(dataDir: string): IdempotencyStore {
  return new JournalIdempotencyStore(idempotencyJournalPath(dataDir));
}
