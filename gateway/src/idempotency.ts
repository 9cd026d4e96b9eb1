/**
 * The durable `Idempotency-Key` table: a retried mutation with the same key from the same caller
 * gets the first stored response and never makes a second transaction, also after a restart.
 *
 * Stored as an append-only JSON-lines journal in the data dir, loaded at start. A record counts
 * once it is on disk: concurrent requests' records share one fsync (group commit), run off the
 * event loop. A mutation journals each transaction it is about to send to the orderer (its id and
 * signed bytes) *before* sending it, and its response once committed. A crash or a lost commit
 * status between the two leaves a pending key: its retry first asks the ledger what became of
 * the journaled transactions (`recover`) and answers from there, so the window between commit
 * and journal write can never produce a second transaction.
 *
 * Retention: a settled key is kept for `retentionMs` (default 24 h) after its response; then a
 * retry with it is a new request. The journal is compacted at start and whenever it has doubled
 * since the last compaction (at least 64 MiB): rewritten beside itself with the live keys only
 * (their responses; a pending key's attempts, whatever its age), fsynced and renamed over the old
 * one, so a crash mid-compaction leaves the old journal whole. The attempts of a settled key (its
 * signed transactions, most of the journal's bytes) go at the first compaction.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
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
  /** Where the attempts lie in the journal (a compaction copies a pending key's lines as they are). */
  attemptSpans: JournalSpan[];
  response?: JournalSpan;
  /** When the response was journaled (ms since the epoch): the key expires `retentionMs` later. */
  settledAt?: number;
}

/** The request as far as key reuse is judged: method, route, parameters and body. */
export interface IdempotentRequest {
  readonly caller: string;
  readonly key: string;
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
}

/** Journals a transaction before it is sent to the orderer: send it once the promise resolves. */
export type AttemptRecorder = (attempt: TransactionAttempt) => Promise<void>;

/** How a mutation runs under a key. */
export interface IdempotentWork {
  /** Does the work; calls `record` with each transaction, and awaits it, before sending it. */
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

/** How long a settled key is kept, unless the gateway's configuration says otherwise. */
export const DEFAULT_IDEMPOTENCY_RETENTION_MS = 24 * 3600_000;

/** The journal is compacted when it reaches twice its size after the last compaction, and at least this. */
const MIN_COMPACTION_BYTES = 64 * 2 ** 20;

/** Options of the idempotency table. */
export interface IdempotencyOptions {
  /** How long a settled key is kept (ms; default 24 h). */
  readonly retentionMs?: number;
  /** The clock (ms since the epoch; tests move it). */
  readonly now?: () => number;
  /** Journal size (bytes) from which compaction may run (default 64 MiB; tests lower it). */
  readonly minCompactionBytes?: number;
  /** Flushes the journal to disk (default `fs.fsync`; tests count or fail it). */
  readonly fsync?: (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;
}

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
function readJournal(file: string): { states: Map<string, KeyState>; size: number } {
  const states = new Map<string, KeyState>();
  if (!existsSync(file)) return { states, size: 0 };
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
  return { states, size: bytes.length };
}

function apply(states: Map<string, KeyState>, record: JournalRecord, span: JournalSpan): void {
  if (record.kind === 'attempt') {
    const known = states.get(record.key);
    // An attempt after a response: the key had expired and was used again for a new request.
    const state: KeyState = known === undefined || known.response !== undefined ? { fingerprint: record.fingerprint, attempts: [], attemptSpans: [] } : known;
    state.attempts.push(record.attempt);
    state.attemptSpans.push(span);
    states.set(record.key, state);
  } else {
    // The response settles the key: its transactions (kept for recovery only) stay in the
    // journal until the next compaction.
    states.set(record.key, { fingerprint: record.fingerprint, attempts: [], attemptSpans: [], response: span, settledAt: Date.parse(record.at) });
  }
}

/** A settled key whose response was journaled before `expiry` (or at an unreadable time). */
function expired(state: KeyState, expiry: number): boolean {
  return state.response !== undefined && !((state.settledAt ?? Number.NaN) >= expiry);
}

class JournalIdempotencyStore implements IdempotencyStore {
  #states: Map<string, KeyState>;
  readonly #inFlight = new Map<string, string>();
  readonly #file: string;
  readonly #retentionMs: number;
  readonly #now: () => number;
  readonly #minCompactionBytes: number;
  readonly #flush: NonNullable<IdempotencyOptions['fsync']>;
  #fd: number;
  #reader: number;
  #size: number;
  /** The journal size that triggers the next compaction. */
  #compactAt: number;
  /** fsyncs under way (each has records waiting for it): the journal is not reopened while one is. */
  #syncs = 0;
  /** The fsync under way, if any, and the one queued behind it for records written meanwhile. */
  #syncing: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  /** Records written but not yet on disk and in the table: a compaction waits for them. */
  #unsettled = 0;
  /** While a due compaction waits for the records under way, new records wait for it. */
  #gate: { readonly opened: Promise<void>; readonly open: () => void } | undefined;

  constructor(file: string, options: IdempotencyOptions) {
    this.#file = file;
    this.#retentionMs = options.retentionMs ?? DEFAULT_IDEMPOTENCY_RETENTION_MS;
    this.#now = options.now ?? Date.now;
    this.#minCompactionBytes = options.minCompactionBytes ?? MIN_COMPACTION_BYTES;
    this.#flush = options.fsync ?? fsync;
    mkdirSync(path.dirname(file), { recursive: true });
    rmSync(compactionPath(file), { force: true }); // a compaction that did not finish: the journal is whole
    // Compacting copies whole lines only: a torn last line (a crash mid-write) is left behind.
    if (existsSync(file)) writeCompacted(file, readJournal(file).states, this.#expiry());
    const journal = readJournal(file);
    this.#states = journal.states;
    this.#size = journal.size;
    this.#compactAt = this.#nextCompaction();
    this.#fd = openSync(file, 'a');
    this.#reader = openSync(file, 'r');
  }

  /** The time written on a journal record. */
  #stamp(): string {
    return new Date(this.#now()).toISOString();
  }

  /** Keys settled before this instant have expired. */
  #expiry(): number {
    return this.#now() - this.#retentionMs;
  }

  #nextCompaction(): number {
    return Math.max(this.#minCompactionBytes, 2 * this.#size);
  }

  /** Rewrites the journal with the live keys only and reopens it (no await: no append interleaves). */
  #compact(): void {
    writeCompacted(this.#file, this.#states, this.#expiry());
    closeSync(this.#fd);
    closeSync(this.#reader);
    const journal = readJournal(this.#file);
    this.#states = journal.states;
    this.#size = journal.size;
    this.#compactAt = this.#nextCompaction();
    this.#fd = openSync(this.#file, 'a');
    this.#reader = openSync(this.#file, 'r');
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
    let known = this.#states.get(key);
    if (known !== undefined && expired(known, this.#expiry())) {
      // Past its retention: a new request (the next compaction drops the old response).
      this.#states.delete(key);
      known = undefined;
    }
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
          await this.#append({ key, fingerprint, status: recovered.status, body: recovered.body, at: this.#stamp() });
          return { ...recovered, replayed: true };
        }
      }
      const response = await work.run((attempt) => this.#append({ kind: 'attempt', key, fingerprint, attempt, at: this.#stamp() }));
      await this.#append({ key, fingerprint, status: response.status, body: response.body, at: this.#stamp() });
      return { ...response, replayed: false };
    } finally {
      this.#inFlight.delete(key);
    }
  }

  #assertSame(first: string, again: string): true {
    if (first === again) return true;
    throw new ApiError(422, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request; use a new key for a new request');
  }

  /**
   * Appends `record` and resolves once it is on disk, then enters it in the table (so a replay
   * never answers from a record a power loss could take back).
   */
  async #append(record: JournalRecord): Promise<void> {
    while (this.#gate !== undefined) await this.#gate.opened;
    const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    const span = { offset: this.#size, length: line.length };
    writeSync(this.#fd, line);
    this.#size += line.length;
    this.#unsettled += 1;
    try {
      await this.#durable();
      apply(this.#states, record, span);
    } finally {
      this.#unsettled -= 1;
      this.#compactWhenDue();
    }
  }

  /**
   * Compacts once the journal has doubled. A compaction rewrites the journal from the table, so it
   * waits until every record written is on disk and in the table (and no fsync holds the file);
   * records arriving meanwhile wait for it, so a busy gateway cannot put it off for ever.
   */
  #compactWhenDue(): void {
    if (this.#size < this.#compactAt) return;
    if (this.#unsettled > 0 || this.#syncs > 0) {
      if (this.#gate === undefined) {
        let open = (): void => undefined;
        const opened = new Promise<void>((resolve) => { open = resolve; });
        this.#gate = { opened, open };
      }
      return;
    }
    const gate = this.#gate;
    this.#gate = undefined;
    try {
      this.#compact();
    } finally {
      gate?.open();
    }
  }

  /**
   * Resolves once everything written so far is on disk. Group commit: while one fsync runs, the
   * records written meanwhile wait together for the next one, which starts when it ends.
   */
  #durable(): Promise<void> {
    if (this.#syncing === undefined) {
      this.#syncing = this.#fsync();
      return this.#syncing;
    }
    this.#queued ??= this.#syncing.catch(() => undefined).then(() => {
      this.#queued = undefined;
      this.#syncing = this.#fsync();
      return this.#syncing;
    });
    return this.#queued;
  }

  #fsync(): Promise<void> {
    this.#syncs += 1;
    return new Promise((resolve, reject) => {
      this.#flush(this.#fd, (error) => {
        this.#syncs -= 1;
        if (this.#syncs === 0) this.#syncing = undefined;
        if (error === null) resolve();
        else reject(error);
      });
    });
  }

  close(): void {
    closeSync(this.#fd);
    closeSync(this.#reader);
  }
}

/** Where a compaction writes the journal before renaming it over the old one. */
function compactionPath(file: string): string {
  return `${file}.compacting`;
}

/**
 * Writes the live records of `states` (read from `file`) to the compaction file, fsyncs it and
 * renames it over `file`: a settled key's response unless it settled before `expiry`, a pending
 * key's attempts.
 */
function writeCompacted(file: string, states: ReadonlyMap<string, KeyState>, expiry: number): void {
  const target = compactionPath(file);
  const reader = openSync(file, 'r');
  const out = openSync(target, 'w');
  try {
    const copy = (span: JournalSpan): void => {
      const bytes = Buffer.alloc(span.length);
      readSync(reader, bytes, 0, bytes.length, span.offset);
      writeSync(out, bytes[bytes.length - 1] === 0x0a ? bytes : Buffer.concat([bytes, Buffer.from('\n')]));
    };
    for (const state of states.values()) {
      if (state.response === undefined) state.attemptSpans.forEach(copy);
      else if (!expired(state, expiry)) copy(state.response);
    }
    fsyncSync(out);
  } finally {
    closeSync(out);
    closeSync(reader);
  }
  renameSync(target, file);
  const dir = openSync(path.dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** The journal file in a gateway's data dir. */
export function idempotencyJournalPath(dataDir: string): string {
  return path.join(dataDir, 'idempotency.jsonl');
}

/** Opens (or creates) the journal `idempotency.jsonl` in `dataDir`, compacting it. */
export function openIdempotencyStore(dataDir: string, options: IdempotencyOptions = {}): IdempotencyStore {
  return new JournalIdempotencyStore(idempotencyJournalPath(dataDir), options);
}
