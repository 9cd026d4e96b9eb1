/**
 * The gateway's feed of chaincode events: one Fabric event stream, read as the organisation's
 * Admin, appended to a durable JSON-lines journal in the data dir (the journal's last record is
 * the checkpoint). When the stream breaks (a peer restart ends it for good) the feed reopens it
 * from the block of the last recorded event with backoff and skips what it already has: no gap,
 * no duplicate. Readers get the events after a position, then every new one (FeedReader).
 */
import type { ChaincodeEvent, CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import { closeSync, existsSync, fstatSync, fsync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
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

/**
 * A reader of the feed: the events after its starting position, oldest first, then each new one
 * as it is recorded, until closed. It pulls: events older than the feed's memory are read from
 * the journal a chunk at a time as the consumer asks for them, so a reader starting far back, or
 * a slow one, holds no more than a chunk.
 */
export interface FeedReader extends AsyncIterable<FeedEvent> {
  /** Ends the iteration (a pending wait for the next event returns at once). */
  close(): void;
}

/** The event feed. */
export interface EventFeed {
  /** Starts reading from the checkpoint; resolves at once (reading continues in the background). */
  start(): void;
  /** The events after `after` (every recorded one for `'start'`, only new ones for `'now'`), then each new one. */
  follow(after: EventPosition | 'start' | 'now'): FeedReader;
  /** The last recorded position, if any. */
  position(): EventPosition | undefined;
  /** Stops reading, ends every reader and closes the journal. */
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

/** Bytes the journal is read by: forward when a reader is behind the feed's memory, backward at start. */
const JOURNAL_CHUNK = 256 * 1024;
/** Bytes read at each step of the search for where a position is in the journal. */
const PROBE_BYTES = 4096;

/** One journal line's event; undefined for a blank, torn or foreign line. */
function parseLine(line: string): FeedEvent | undefined {
  if (line.trim() === '') return undefined;
  try {
    const event: unknown = JSON.parse(line);
    return isFeedEvent(event) ? event : undefined;
  } catch {
    return undefined; // a torn line from a crash: that event was read again from the peer
  }
}

/** The events of a buffer of whole lines. */
function eventsOf(text: string): FeedEvent[] {
  const events: FeedEvent[] = [];
  for (const line of text.split('\n')) {
    const event = parseLine(line);
    if (event !== undefined) events.push(event);
  }
  return events;
}

/**
 * The newest `count` events of the journal, read backward a chunk at a time (never the whole
 * file: a journal of millions of events is larger than a string may be), whether older events
 * precede them, and whether the file ends a line.
 */
function readJournalTail(file: string, count: number): { events: FeedEvent[]; older: boolean; endsLine: boolean } {
  if (!existsSync(file)) return { events: [], older: false, endsLine: true };
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const chunks: Buffer[] = [];
    let newlines = 0;
    let from = size;
    // count + 2 line ends: count whole lines even when the first one read is cut and the last is torn
    while (from > 0 && newlines < count + 2) {
      const length = Math.min(JOURNAL_CHUNK, from);
      from -= length;
      const chunk = Buffer.alloc(length);
      readSync(fd, chunk, 0, length, from);
      chunks.unshift(chunk);
      for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) newlines++;
    }
    const bytes = Buffer.concat(chunks);
    // the first line read may be the end of an older one
    const whole = from === 0 ? bytes : bytes.subarray(bytes.indexOf(0x0a) + 1);
    const events = eventsOf(whole.toString('utf8'));
    return { events: events.slice(-count), older: from > 0 || events.length > count, endsLine: size === 0 || bytes[bytes.length - 1] === 0x0a };
  } finally {
    closeSync(fd);
  }
}

/**
 * A byte offset of the journal from which reading forward meets every event after `after`: the
 * start of a line whose event is not after it, or 0. A binary search over the file (its events are
 * in order), a few reads of {@link PROBE_BYTES} each.
 */
async function journalOffsetBefore(file: string, after: EventPosition): Promise<number> {
  const handle = await open(file, 'r');
  try {
    let low = 0;
    let high = (await handle.stat()).size;
    const probe = Buffer.alloc(PROBE_BYTES);
    while (high - low > JOURNAL_CHUNK) {
      const middle = Math.floor((low + high) / 2);
      const { bytesRead } = await handle.read(probe, 0, PROBE_BYTES, middle);
      const start = probe.subarray(0, bytesRead).indexOf(0x0a);
      const end = start === -1 ? -1 : probe.subarray(0, bytesRead).indexOf(0x0a, start + 1);
      const event = end === -1 ? undefined : parseLine(probe.toString('utf8', start + 1, end));
      // a line that does not fit the probe, or is torn, counts as after: the search only narrows less
      if (event !== undefined && !isAfter(event, after)) low = middle + start + 1;
      else high = middle;
    }
    return low;
  } finally {
    await handle.close();
  }
}

/**
 * The journal's events from byte `offset` (a line start) on, a chunk at a time, up to the end of
 * the file as it is when reached; a last line not yet ended there is left out.
 */
async function* journalEvents(file: string, offset: number): AsyncGenerator<FeedEvent> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(JOURNAL_CHUNK);
    let carry = Buffer.alloc(0);
    for (let at = offset; ;) {
      const { bytesRead } = await handle.read(buffer, 0, JOURNAL_CHUNK, at);
      if (bytesRead === 0) return;
      at += bytesRead;
      const data = carry.length === 0 ? buffer.subarray(0, bytesRead) : Buffer.concat([carry, buffer.subarray(0, bytesRead)]);
      let start = 0;
      for (let end = data.indexOf(0x0a); end !== -1; end = data.indexOf(0x0a, start)) {
        const event = parseLine(data.toString('utf8', start, end));
        start = end + 1;
        if (event !== undefined) yield event;
      }
      carry = Buffer.from(data.subarray(start)); // a copy: the buffer is read into again
    }
  } finally {
    await handle.close();
  }
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

/** Where a reader is: after this position (undefined: before every event). */
type Cursor = EventPosition | undefined;

/**
 * Memory holds the newest `recent` events (a reader near the present is served from there); a
 * reader further back reads the journal, which has every event, a chunk at a time: the feed's
 * memory stays bounded however long the gateway runs and however far back its readers start. At
 * start, only the journal's tail is read.
 */
class JournalEventFeed implements EventFeed {
  #events: FeedEvent[];
  /** Whether older events than `#events` holds are in the journal only. */
  #trimmed: boolean;
  #last: EventPosition | undefined;
  /** Wakes the readers waiting for the next event. */
  readonly #waiting = new Set<() => void>();
  readonly #fd: number;
  #stream: CloseableAsyncIterable<ChaincodeEvent> | undefined;
  #closed = false;
  /** Whether events were written since the last fsync. */
  #unsynced = false;
  /** An fsync is running on libuv's pool; `#syncAgain`: another block ended meanwhile. */
  #syncing = false;
  #syncAgain = false;
  /** Block and running index of the stream being read (reset on each reopen). */
  #reading = { block: -1, index: -1 };

  constructor(private readonly ledger: Ledger, private readonly file: string, private readonly logger: FeedLogger, private readonly recent: number) {
    mkdirSync(path.dirname(file), { recursive: true });
    const tail = readJournalTail(file, recent);
    this.#events = tail.events;
    this.#trimmed = tail.older;
    const last = tail.events[tail.events.length - 1];
    this.#last = last === undefined ? undefined : { block: last.block, index: last.index };
    this.#fd = openSync(file, 'a');
    // A torn last line (a crash mid-write) is ended, so the next record starts a line of its own.
    if (!tail.endsLine) writeSync(this.#fd, '\n');
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
    // bench's http stage: fsyncs, mostly these, were a quarter of a gateway's busy time), and off
    // the event loop (a blocking fsync a block was still a tenth of a gateway's busy time, stalling
    // its requests). Readers get an event before it is durable: what a power loss takes from the
    // journal's end is read again from the peer (the position is the last durable event).
    if (this.#unsynced && block !== this.#last?.block) this.#sync();
    writeSync(this.#fd, `${JSON.stringify(record)}\n`);
    this.#unsynced = true;
    this.#events.push(record);
    this.#last = position;
    if (this.#events.length >= 2 * this.recent) {
      this.#events = this.#events.slice(-this.recent);
      this.#trimmed = true;
    }
    this.#wake();
    return true;
  }

  follow(after: EventPosition | 'start' | 'now'): FeedReader {
    const state = { closed: false, wake: undefined as (() => void) | undefined };
    const cursor: Cursor = after === 'start' ? undefined : after === 'now' ? this.#last : after;
    return {
      [Symbol.asyncIterator]: () => this.#read(cursor, state),
      close: () => {
        state.closed = true;
        state.wake?.();
      },
    };
  }

  /** The events after `cursor` as {@link FeedReader} gives them. */
  async *#read(from: Cursor, state: { closed: boolean; wake: (() => void) | undefined }): AsyncGenerator<FeedEvent> {
    let cursor = from;
    const ended = (): boolean => state.closed || this.#closed;
    while (!ended()) {
      const recent = this.#inMemoryAfter(cursor);
      if (recent === undefined) {
        // behind the memory: from the journal until the memory has what comes next
        const offset = cursor === undefined ? 0 : await journalOffsetBefore(this.file, cursor);
        let progressed = false;
        for await (const event of journalEvents(this.file, offset)) {
          if (ended()) return;
          if (cursor !== undefined && !isAfter(event, cursor)) continue;
          yield event;
          cursor = event;
          progressed = true;
          if (this.#covers(cursor)) break;
        }
        // the journal ended before the memory's events (recorded meanwhile): on from memory
        if (progressed || this.#covers(cursor)) continue;
      } else if (recent.length > 0) {
        for (const event of recent) {
          if (ended()) return;
          yield event;
          cursor = event;
        }
        continue;
      }
      // nothing new: wait for the next recorded event (or the end)
      await new Promise<void>((resolve) => {
        state.wake = resolve;
        this.#waiting.add(resolve);
      });
      if (state.wake !== undefined) this.#waiting.delete(state.wake);
      state.wake = undefined;
    }
  }

  /** Whether memory holds every event after `cursor`. */
  #covers(cursor: Cursor): boolean {
    if (!this.#trimmed) return true;
    const oldest = this.#events[0];
    return cursor !== undefined && oldest !== undefined && !isAfter(oldest, cursor);
  }

  /** The events after `cursor` when memory holds them all (perhaps none), else undefined. */
  #inMemoryAfter(cursor: Cursor): FeedEvent[] | undefined {
    if (!this.#covers(cursor)) return undefined;
    return cursor === undefined ? [...this.#events] : eventsAfter(this.#events, cursor);
  }

  #wake(): void {
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const resolve of waiting) resolve();
  }

  /** Flushes the journal on libuv's pool, one fsync at a time: blocks that end meanwhile share the next. */
  #sync(): void {
    this.#unsynced = false;
    if (this.#syncing) {
      this.#syncAgain = true;
      return;
    }
    this.#syncing = true;
    fsync(this.#fd, (error) => {
      this.#syncing = false;
      if (error !== null) this.logger.warn({ error: error.message, file: this.file }, 'event journal fsync failed; the peer has the events it may lose');
      if (this.#closed) {
        closeSync(this.#fd);
      } else if (this.#syncAgain) {
        this.#syncAgain = false;
        this.#sync();
      }
    });
  }

  close(): void {
    this.#closed = true;
    this.#stream?.close();
    this.#wake();
    if (this.#unsynced || this.#syncAgain) fsyncSync(this.#fd);
    // an fsync still running closes the file when it ends
    if (!this.#syncing) closeSync(this.#fd);
  }
}

/** The event feed of a gateway, journaled in `dataDir/events.jsonl`. */
export function createEventFeed(ledger: Ledger, dataDir: string, logger: FeedLogger, options: { recent?: number } = {}): EventFeed {
  return new JournalEventFeed(ledger, path.join(dataDir, 'events.jsonl'), logger, Math.max(1, options.recent ?? RECENT_EVENTS));
}
