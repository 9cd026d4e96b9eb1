/**
 * Typed access to the world state: canonical JSON on write, parsing at the edge on read.
 * Fabric semantics apply: reads see the state before this transaction, never its own writes.
 */
import type { Context } from 'fabric-contract-api';
import { ChaincodeError } from '../errors';
import { invalid, type Page, type PageRequest } from '../domain';
import type { StateKey } from './keys';
import type { RecordParser } from './records';
import { canonicalBytes } from './serialize';

type Stub = Context['stub'];
type StateIterator = Awaited<ReturnType<Stub['getStateByPartialCompositeKey']>>;

/** A record found by a prefix query, with its key attributes. */
export interface Entry<T> {
  attributes: string[];
  value: T;
}

function decode(bytes: Uint8Array, key: StateKey): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch {
    throw new ChaincodeError('CORRUPT_STATE', `the value under ${key.objectType} ${key.attributes.join('/')} is not JSON`);
  }
}

/** Typed get/put/delete and prefix queries over one transaction's stub. */
export class LedgerState {
  constructor(private readonly stub: Stub) {}

  private compositeKey(key: StateKey): string {
    return this.stub.createCompositeKey(key.objectType, key.attributes);
  }

  /** The record under `key`, or undefined when absent. */
  async get<T>(key: StateKey, parse: RecordParser<T>): Promise<T | undefined> {
    const bytes = await this.stub.getState(this.compositeKey(key));
    return bytes === undefined || bytes.length === 0 ? undefined : parse(decode(bytes, key));
  }

  /** The record under `key`; NOT_FOUND (naming `what`) when absent. */
  async require<T>(key: StateKey, parse: RecordParser<T>, what: string): Promise<T> {
    const value = await this.get(key, parse);
    if (value === undefined) throw new ChaincodeError('NOT_FOUND', `${what} does not exist`, { what });
    return value;
  }

  /** True when something is stored under `key`. */
  async exists(key: StateKey): Promise<boolean> {
    const bytes = await this.stub.getState(this.compositeKey(key));
    return bytes !== undefined && bytes.length > 0;
  }

  /** Writes `value` as canonical JSON. */
  async put(key: StateKey, value: unknown): Promise<void> {
    await this.stub.putState(this.compositeKey(key), canonicalBytes(value));
  }

  /** Deletes the value under `key`. */
  async remove(key: StateKey): Promise<void> {
    await this.stub.deleteState(this.compositeKey(key));
  }

  /** Every record under a key prefix, in key order. Allowed in submit and evaluate transactions. */
  async list<T>(prefix: StateKey, parse: RecordParser<T>): Promise<Entry<T>[]> {
    const iterator = await this.stub.getStateByPartialCompositeKey(prefix.objectType, prefix.attributes);
    return this.drain(iterator, parse);
  }

  /**
   * At most `limit` records under a key prefix whose last key attribute passes `accept`, in key
   * order, and whether the prefix holds more. Stops reading early, so a submit transaction stays
   * bounded (Fabric re-checks only the range actually read).
   */
  async take<T>(prefix: StateKey, parse: RecordParser<T>, limit: number, accept: (lastAttribute: string) => boolean): Promise<{ entries: Entry<T>[]; more: boolean }> {
    const iterator = await this.stub.getStateByPartialCompositeKey(prefix.objectType, prefix.attributes);
    const entries: Entry<T>[] = [];
    let more = false;
    try {
      for (let result = await iterator.next(); !result.done; result = await iterator.next()) {
        const { objectType, attributes } = this.stub.splitCompositeKey(result.value.key);
        if (!accept(attributes[attributes.length - 1] ?? '')) continue;
        if (entries.length === limit) {
          more = true;
          break;
        }
        entries.push({ attributes, value: parse(decode(result.value.value, { objectType, attributes })) });
      }
    } finally {
      await iterator.close();
    }
    return { entries, more };
  }

  /**
   * Every record under a key prefix, read page by page so the peer's `totalQueryLimit` (which
   * silently cuts a plain range read) never truncates it. Evaluate transactions only.
   */
  async listAllPaged<T>(prefix: StateKey, parse: RecordParser<T>, pageSize: number): Promise<Entry<T>[]> {
    const entries: Entry<T>[] = [];
    let bookmark = '';
    for (;;) {
      const page = await this.page(prefix, { pageSize, bookmark }, parse);
      entries.push(...page.records);
      if (page.records.length < pageSize || page.bookmark === '' || page.bookmark === bookmark) return entries;
      bookmark = page.bookmark;
    }
  }

  /** One page of records under a key prefix. Fabric allows this only in evaluate transactions. */
  async page<T>(prefix: StateKey, request: PageRequest, parse: RecordParser<T>): Promise<Page<Entry<T>>> {
    // A bookmark is the next key to read: one outside the prefix would page through other records.
    if (request.bookmark !== '' && !request.bookmark.startsWith(this.compositeKey(prefix))) {
      throw invalid('bookmark', 'is not a bookmark a previous page of this query returned');
    }
    const { iterator, metadata } = await this.stub.getStateByPartialCompositeKeyWithPagination(
      prefix.objectType, prefix.attributes, request.pageSize, request.bookmark,
    );
    const records = await this.drain(iterator, parse);
    // fabric-shim leaves `metadata` out when the peer's is empty: no records and no next page on a
    // first page, or a bookmark the peer could not decode on a later one.
    const found = metadata as typeof metadata | undefined;
    if (found === undefined && request.bookmark !== '') throw invalid('bookmark', 'is not a bookmark a previous page returned');
    return { records, bookmark: found?.bookmark ?? '', fetchedRecordsCount: found?.fetchedRecordsCount ?? records.length };
  }

  private async drain<T>(iterator: StateIterator, parse: RecordParser<T>): Promise<Entry<T>[]> {
    const entries: Entry<T>[] = [];
    try {
      for (let result = await iterator.next(); !result.done; result = await iterator.next()) {
        const { objectType, attributes } = this.stub.splitCompositeKey(result.value.key);
        const key = { objectType, attributes };
        entries.push({ attributes, value: parse(decode(result.value.value, key)) });
      }
    } finally {
      await iterator.close();
    }
    return entries;
  }
}
