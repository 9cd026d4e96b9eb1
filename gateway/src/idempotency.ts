/**
 * The durable `Idempotency-Key` table: a retried mutation with the same key from the same caller
 * gets the first stored response and never makes a second transaction, also after a restart.
 * Stored as an append-only JSON-lines journal in the data dir, fsynced per record, loaded at start.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from './problem.js';

/** A response kept for replay. */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

interface JournalRecord extends StoredResponse {
  readonly key: string;
  readonly fingerprint: string;
  readonly at: string;
}

/** The request as far as key reuse is judged: method, route, parameters and body. */
export interface IdempotentRequest {
  readonly caller: string;
  readonly key: string;
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
}

/** The idempotency table. */
export interface IdempotencyStore {
  /**
   * Runs `work` once per (caller, key): returns the stored response of an earlier request with the
   * same key and body; throws 422 IDEMPOTENCY_KEY_REUSED for another body, 409
   * IDEMPOTENCY_KEY_IN_FLIGHT while the first is still running. Only successful responses are
   * stored: a failed request leaves the key free for a retry.
   */
  run(request: IdempotentRequest, work: () => Promise<StoredResponse>): Promise<StoredResponse & { readonly replayed: boolean }>;
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

function isJournalRecord(value: unknown): value is JournalRecord {
  return typeof value === 'object' && value !== null
    && typeof Reflect.get(value, 'key') === 'string' && typeof Reflect.get(value, 'fingerprint') === 'string'
    && typeof Reflect.get(value, 'status') === 'number';
}

/** Reads the journal; a torn last line (crash mid-write) is ignored. */
function readJournal(file: string): Map<string, JournalRecord> {
  const records = new Map<string, JournalRecord>();
  if (!existsSync(file)) return records;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const record: unknown = JSON.parse(line);
      if (isJournalRecord(record)) records.set(record.key, record);
    } catch {
      continue; // an incomplete trailing line from a crash: its request was never answered
    }
  }
  return records;
}

class JournalIdempotencyStore implements IdempotencyStore {
  readonly #records: Map<string, JournalRecord>;
  readonly #inFlight = new Map<string, string>();
  readonly #fd: number;

  constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.#records = readJournal(file);
    this.#fd = openSync(file, 'a');
  }

  async run(request: IdempotentRequest, work: () => Promise<StoredResponse>): Promise<StoredResponse & { replayed: boolean }> {
    if (request.key.length === 0 || request.key.length > MAX_KEY_LENGTH) {
      throw new ApiError(400, 'INVALID_IDEMPOTENCY_KEY', `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters`);
    }
    const key = scopedKey(request);
    const fingerprint = fingerprintOf(request);
    const stored = this.#records.get(key);
    if (stored !== undefined) return { status: stored.status, body: stored.body, replayed: this.#assertSame(stored.fingerprint, fingerprint) };
    const running = this.#inFlight.get(key);
    if (running !== undefined) {
      this.#assertSame(running, fingerprint);
      throw new ApiError(409, 'IDEMPOTENCY_KEY_IN_FLIGHT', 'a request with this Idempotency-Key is still being processed; retry when it has finished');
    }
    this.#inFlight.set(key, fingerprint);
    try {
      const response = await work();
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
    writeSync(this.#fd, `${JSON.stringify(record)}\n`);
    fsyncSync(this.#fd);
    this.#records.set(record.key, record);
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** Opens (or creates) the journal `idempotency.jsonl` in `dataDir`. */
export function openIdempotencyStore(dataDir: string): IdempotencyStore {
  return new JournalIdempotencyStore(path.join(dataDir, 'idempotency.jsonl'));
}
