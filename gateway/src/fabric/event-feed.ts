/**
 * The gateway's feed of chaincode events: one Fabric event stream, read as the organisation's
 * Admin, appended to a durable JSON-lines journal in the data dir (the journal's last record is
 * the checkpoint). When the stream breaks (a peer restart ends it for good) the feed reopens it
 * from the block of the last recorded event with backoff and skips what it already has: no gap,
 * no duplicate. Subscribers get the events after a position, then every new one.
 */
import type { ChaincodeEvent, CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Ledger } from './ledger.js';

/** A position in the event history: block number and the event's index within the block. */
export interface EventPosition {
  readonly block: number;
  readonly index: number;
}

/** One chaincode event as the gateway serves it. */
export interface FeedEvent extends EventPosition {
  /** `${block}:${index}`: the SSE event id. */
  readonly id: string;
  readonly name: string;
  readonly txId: string;
  /** The event payload, parsed JSON (or the text when it is not JSON). */
  readonly payload: unknown;
}

/** A subscriber's view of the feed. */
export interface Subscription {
  /** The events already recorded after the requested position. */
  readonly backlog: readonly FeedEvent[];
  /** Stops delivery. */
  unsubscribe(): void;
}

/** The event feed. */
export interface EventFeed {
  /** Starts reading from the checkpoint; resolves at once (reading continues in the background). */
  start(): void;
  /** Events after `after` (all recorded ones when undefined is `'start'`, none for `'now'`), then `listener` for each new one. */
  subscribe(after: EventPosition | 'start' | 'now', listener: (event: FeedEvent) => void): Subscription;
  /** The last recorded position, if any. */
  position(): EventPosition | undefined;
  /** Stops reading and closes the journal. */
  close(): void;
}

/** Logging the feed needs. */
export interface FeedLogger {
  warn(object: object, message: string): void;
  info(object: object, message: string): void;
}

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;
const utf8 = new TextDecoder();

/** Parses an SSE id `block:index`; undefined for anything else. */
export function parseEventId(id: string | undefined): EventPosition | undefined {
  const match = id === undefined ? null : /^(\d{1,15}):(\d{1,9})$/.exec(id.trim());
  if (match === null) return undefined;
  return { block: Number(match[1]), index: Number(match[2]) };
}

function isAfter(event: EventPosition, position: EventPosition): boolean {
  return event.block > position.block || (event.block === position.block && event.index > position.index);
}

function payloadOf(bytes: Uint8Array): unknown {
  const text = utf8.decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    return text; // the chaincode emits JSON; anything else is passed on as text
  }
}

function isFeedEvent(value: unknown): value is FeedEvent {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'block') === 'number'
    && typeof Reflect.get(value, 'index') === 'number' && typeof Reflect.get(value, 'id') === 'string';
}

/** Events a feed keeps in memory by default: the newest; older ones are read from the journal. */
export const RECENT_EVENTS = 10_000;

/** Whether `file` is empty or its last byte ends a line. */
function endsWithNewline(file: string): boolean {
  const size = statSync(file).size;
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, last, 0, 1, size - 1);
  } finally {
    closeSync(fd);
  }
  return last[0] === 0x0a;
}

/** The events of `events` (in order) after `position`: binary search. */
function eventsAfter(events: readonly FeedEvent[], position: EventPosition): FeedEvent[] {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const event = events[middle];
    if (event !== undefined && isAfter(event, position)) high = middle;
    else low = middle + 1;
  }
  return events.slice(low);
}

function readJournal(file: string): FeedEvent[] {
  if (!existsSync(file)) return [];
  const events: FeedEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      const event: unknown = line.trim() === '' ? undefined : JSON.parse(line);
      if (isFeedEvent(event)) events.push(event);
    } catch {
      continue; // a torn trailing line from a crash: that event is read again from the peer
    }
  }
  return events;
}

/**
 * Memory holds the newest `recent` events (a subscriber resuming from a recent position is served
 * from there); a backlog from further back is read from the journal, which has every event: the
 * feed's memory stays bounded however long the gateway runs (the soak found it growing by every
 * event otherwise).
 */
class JournalEventFeed implements EventFeed {
  #events: FeedEvent[];
  /** Whether older events than `#events` holds are in the journal only. */
  #trimmed: boolean;
  #last: EventPosition | undefined;
  readonly #listeners = new Set<(event: FeedEvent) => void>();
  readonly #fd: number;
  #stream: CloseableAsyncIterable<ChaincodeEvent> | undefined;
  #closed = false;
  /** Whether events were written since the last fsync. */
  #unsynced = false;
  /** Block and running index of the stream being read (reset on each reopen). */
  #reading = { block: -1, index: -1 };

  constructor(private readonly ledger: Ledger, private readonly file: string, private readonly logger: FeedLogger, private readonly recent: number) {
    mkdirSync(path.dirname(file), { recursive: true });
    const all = readJournal(file);
    this.#events = all.slice(-recent);
    this.#trimmed = all.length > this.#events.length;
    const last = all[all.length - 1];
    this.#last = last === undefined ? undefined : { block: last.block, index: last.index };
    this.#fd = openSync(file, 'a');
    // A torn last line (a crash mid-write) is ended, so the next record starts a line of its own.
    if (!endsWithNewline(file)) writeSync(this.#fd, '\n');
  }

  position(): EventPosition | undefined {
    return this.#last;
  }

  start(): void {
    void this.#run();
  }

  async #run(): Promise<void> {
    let backoff = MIN_BACKOFF_MS;
    while (!this.#closed) {
      const received = await this.#readOnce();
      if (this.#closed) return;
      backoff = received > 0 ? MIN_BACKOFF_MS : Math.min(backoff * 2, MAX_BACKOFF_MS);
      await new Promise((resolve) => setTimeout(resolve, backoff));
    }
  }

  /** Reads one stream until it breaks; returns how many new events it delivered. */
  async #readOnce(): Promise<number> {
    const from = this.position();
    let received = 0;
    this.#reading = { block: -1, index: -1 };
    try {
      this.#stream = await this.ledger.chaincodeEvents(BigInt(from?.block ?? 0));
      for await (const event of this.#stream) {
        if (this.#accept(event)) received++;
      }
    } catch (error) {
      if (!this.#closed) this.logger.warn({ error: error instanceof Error ? error.message : String(error), from: from ?? null }, 'chaincode event stream broke; reopening from the last recorded event');
    } finally {
      this.#stream?.close();
      this.#stream = undefined;
    }
    return received;
  }

  #accept(event: ChaincodeEvent): boolean {
    const block = Number(event.blockNumber);
    this.#reading = block === this.#reading.block ? { block, index: this.#reading.index + 1 } : { block, index: 0 };
    const position = { ...this.#reading };
    const last = this.position();
    if (last !== undefined && !isAfter(position, last)) return false;
    const record: FeedEvent = { id: `${block}:${position.index}`, ...position, name: event.eventName, txId: event.transactionId, payload: payloadOf(event.payload) };
    // The journal is a copy of the ledger's events: it is fsynced once a block, when the next
    // block's first event arrives (and at close), not after every event (the gateway profile of the
    // bench's http stage: fsyncs, mostly these, were a quarter of a gateway's busy time). What a power
    // loss takes from its end is read again from the peer: the position is the last durable event.
    if (this.#unsynced && block !== this.#last?.block) this.#sync();
    writeSync(this.#fd, `${JSON.stringify(record)}\n`);
    this.#unsynced = true;
    this.#events.push(record);
    this.#last = position;
    if (this.#events.length >= 2 * this.recent) {
      this.#events = this.#events.slice(-this.recent);
      this.#trimmed = true;
    }
    for (const listener of this.#listeners) listener(record);
    return true;
  }

  subscribe(after: EventPosition | 'start' | 'now', listener: (event: FeedEvent) => void): Subscription {
    const backlog = after === 'now' ? [] : this.#backlog(after);
    this.#listeners.add(listener);
    return { backlog, unsubscribe: () => this.#listeners.delete(listener) };
  }

  /** Recorded events after `after`: from memory when it holds them all, else from the journal. */
  #backlog(after: EventPosition | 'start'): FeedEvent[] {
    const oldest = this.#events[0];
    const inMemory = !this.#trimmed || (after !== 'start' && oldest !== undefined && !isAfter(oldest, after));
    if (inMemory) return after === 'start' ? [...this.#events] : eventsAfter(this.#events, after);
    const all = readJournal(this.file);
    return after === 'start' ? all : eventsAfter(all, after);
  }

  #sync(): void {
    fsyncSync(this.#fd);
    this.#unsynced = false;
  }

  close(): void {
    this.#closed = true;
    this.#stream?.close();
    this.#listeners.clear();
    if (this.#unsynced) this.#sync();
    closeSync(this.#fd);
  }
}

/** The event feed of a gateway, journaled in `dataDir/events.jsonl`. */
export function createEventFeed(ledger: Ledger, dataDir: string, logger: FeedLogger, options: { recent?: number } = {}): EventFeed {
  return new JournalEventFeed(ledger, path.join(dataDir, 'events.jsonl'), logger, Math.max(1, options.recent ?? RECENT_EVENTS));
}
