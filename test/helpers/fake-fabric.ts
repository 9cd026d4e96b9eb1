/**
 * An in-memory Fabric peer for contract-level tests. Transactions run through fabric-shim's own
 * contract dispatcher (ChaincodeFromContract: parameter marshalling, hooks, real ClientIdentity
 * from a real X.509 certificate) against a stub that emulates Fabric's semantics:
 * - composite keys with fabric-shim's algorithm, range reads in UTF-8 byte order;
 * - reads see committed state only (never the transaction's own writes);
 * - writes are buffered and committed only when the transaction succeeds;
 * - paginated queries refused in a transaction that writes;
 * - every setEvent call is recorded (Fabric keeps the last one);
 * - transient data reaches the chaincode only (never the writes or the outcome);
 * - the peer's clock (the chaincode's bound on transaction timestamps) is the transaction clock
 *   plus `peerClockSkewMs`.
 */
import './quiet-logs';
import { createHash } from 'node:crypto';
import { contracts, peerClock } from '@impact-ledger/chaincode';
import { ChaincodeError } from '@impact-ledger/chaincode/errors';
import { certificatePem } from './certificates';

// fabric-shim's dispatcher has no type declarations; this is the part of it the tests use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { JSONSerializer } = require('fabric-contract-api') as { JSONSerializer: unknown };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ChaincodeFromContract = require('fabric-shim/lib/contract-spi/chaincodefromcontract') as new (
  classes: unknown[], serializers: unknown, metadata: unknown, title: string, version: string,
) => Dispatcher;

/** The contract metadata fabric-shim derives from the decorators (what GetMetadata serves). */
export interface ContractMetadata {
  contracts: Record<string, { name: string; transactions: { name: string; tag: string[] }[] }>;
}

interface Dispatcher {
  metadata: ContractMetadata;
  invokeFunctionality(stub: FakeStub): Promise<{ status: number; message?: string; payload?: Uint8Array }>;
}

const NS = '\u0000';
const MAX_RUNE = '\u{10ffff}';

/** A KV as fabric-shim's iterators yield it. */
interface KV {
  namespace: string;
  key: string;
  value: Uint8Array;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function validAttribute(attribute: string): void {
  if (typeof attribute !== 'string' || attribute.length === 0) throw new Error('object type or attribute not a non-zero length string');
}

/** A chaincode event as emitted by a transaction. */
export interface EmittedEvent {
  name: string;
  payload: Record<string, unknown>;
}

/** The committed world state: key -> bytes. */
export class WorldState {
  readonly entries = new Map<string, Buffer>();
  /** Private data of every collection (this peer belongs to all of them), by `collection\u0000key`. */
  readonly privateEntries = new Map<string, Buffer>();

  /** Keys in the half-open range [start, end), in byte order. */
  range(start: string, end: string): string[] {
    return [...this.entries.keys()].filter((k) => byteOrder(k, start) >= 0 && byteOrder(k, end) < 0).sort(byteOrder);
  }

  /** The committed JSON value under a composite key built from parts (undefined when absent). */
  read(objectType: string, ...attributes: string[]): unknown {
    const bytes = this.entries.get(compositeKey(objectType, attributes));
    return bytes === undefined ? undefined : JSON.parse(bytes.toString('utf8'));
  }
}

/** fabric-shim's composite-key algorithm. */
export function compositeKey(objectType: string, attributes: readonly string[]): string {
  validAttribute(objectType);
  return attributes.reduce((key, attribute) => {
    validAttribute(attribute);
    return `${key}${attribute}${NS}`;
  }, `${NS}${objectType}${NS}`);
}

function iteratorOf(kvs: KV[]): { next(): Promise<{ value?: KV; done: boolean }>; close(): Promise<void>; closed: boolean } {
  let index = 0;
  const iterator = {
    closed: false,
    async next() {
      const value = kvs[index++];
      return value ? { value, done: false } : { done: true };
    },
    async close() {
      iterator.closed = true;
    },
  };
  return iterator;
}

/** The stub of one transaction. */
export class FakeStub {
  /** Buffered writes: key -> bytes, or null for a delete. */
  readonly writes = new Map<string, Buffer | null>();
  readonly events: EmittedEvent[] = [];
  readonly reads = new Set<string>();
  /** Private data: buffered writes and reads, by `collection\u0000key` (never in `writes`/`reads`). */
  readonly privateWrites = new Map<string, Buffer>();
  readonly privateReads = new Set<string>();
  readonly openIterators: { closed: boolean }[] = [];
  private paginated = false;

  constructor(
    private readonly world: WorldState,
    private readonly txId: string,
    private readonly seconds: number,
    private readonly args: string[],
    private readonly creator: { mspid: string; idBytes: Uint8Array },
    private readonly transient: ReadonlyMap<string, Uint8Array> = new Map(),
  ) {}

  getTransient(): Map<string, Uint8Array> { return new Map(this.transient); }
  getBufferArgs(): Buffer[] { return this.args.map((a) => Buffer.from(a, 'utf8')); }
  getArgs(): string[] { return this.args; }
  getFunctionAndParameters(): { fcn: string; params: string[] } { return { fcn: this.args[0] ?? '', params: this.args.slice(1) }; }
  getTxID(): string { return this.txId; }
  getChannelID(): string { return 'impact'; }
  getCreator(): { mspid: string; idBytes: Uint8Array } { return this.creator; }
  getTxTimestamp(): { seconds: { toString(): string }; nanos: number } { return { seconds: { toString: () => String(this.seconds) }, nanos: 123_000_000 }; }

  async getState(key: string): Promise<Uint8Array> {
    this.reads.add(key);
    return this.world.entries.get(key) ?? Buffer.alloc(0);
  }

  async getPrivateData(collection: string, key: string): Promise<Uint8Array> {
    this.privateReads.add(`${collection}\u0000${key}`);
    return this.world.privateEntries.get(`${collection}\u0000${key}`) ?? Buffer.alloc(0);
  }

  async putPrivateData(collection: string, key: string, value: Uint8Array): Promise<void> {
    if (value.length === 0) throw new Error('putPrivateData needs a non-empty value');
    this.privateWrites.set(`${collection}\u0000${key}`, Buffer.from(value));
  }

  async putState(key: string, value: Uint8Array): Promise<void> {
    if (this.paginated) throw new Error('Paginated queries are supported only in a read-only transaction');
    if (key.length === 0 || value.length === 0) throw new Error('putState needs a key and a non-empty value');
    this.writes.set(key, Buffer.from(value));
  }

  async deleteState(key: string): Promise<void> {
    if (this.paginated) throw new Error('Paginated queries are supported only in a read-only transaction');
    this.writes.set(key, null);
  }

  setEvent(name: string, payload: Uint8Array): void {
    this.events.push({ name, payload: JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, unknown> });
  }

  createCompositeKey(objectType: string, attributes: string[]): string {
    return compositeKey(objectType, attributes);
  }

  splitCompositeKey(key: string): { objectType: string | null; attributes: string[] } {
    const parts = key.substring(1).split(NS);
    parts.pop();
    return { objectType: parts.shift() ?? null, attributes: parts };
  }

  private kvs(keys: string[]): KV[] {
    return keys.map((key) => ({ namespace: 'impact-ledger', key, value: this.world.entries.get(key) as Buffer }));
  }

  async getStateByPartialCompositeKey(objectType: string, attributes: string[]) {
    const prefix = compositeKey(objectType, attributes);
    const iterator = iteratorOf(this.kvs(this.world.range(prefix, prefix + MAX_RUNE)));
    this.openIterators.push(iterator);
    return iterator;
  }

  async getStateByPartialCompositeKeyWithPagination(objectType: string, attributes: string[], pageSize: number, bookmark = '') {
    if (this.writes.size > 0) throw new Error('Paginated queries are supported only in a read-only transaction');
    this.paginated = true;
    const prefix = compositeKey(objectType, attributes);
    const keys = this.world.range(bookmark === '' ? prefix : bookmark, prefix + MAX_RUNE);
    const page = keys.slice(0, pageSize);
    const iterator = iteratorOf(this.kvs(page));
    this.openIterators.push(iterator);
    const nextBookmark = keys[pageSize] ?? '';
    // As fabric-shim does: an empty metadata message (no records, no bookmark) is left out.
    return { iterator, metadata: page.length === 0 && nextBookmark === '' ? undefined : { fetchedRecordsCount: page.length, bookmark: nextBookmark } };
  }
}

/** A member of a test organisation: its MSP, certificate and identity string. */
export interface Member {
  label: string;
  mspId: string;
  pem: string;
  /** `${mspId}::x509::<subject>::<issuer>` as the chaincode computes it. */
  identity: string;
}

/** Outcome of one transaction. */
export interface TxOutcome<T = unknown> {
  ok: boolean;
  txId: string;
  timestamp: string;
  /** Parsed JSON result when ok. */
  result: T;
  /** The decoded chaincode error when refused. */
  error: ChaincodeError | undefined;
  /** The raw error message from the peer. */
  message: string;
  events: EmittedEvent[];
  /** Writes of the transaction (committed only when ok): key -> JSON text, or null for delete. */
  writes: Map<string, string | null>;
  reads: Set<string>;
  /** Private data written (`collection\u0000key` -> text) and read. */
  privateWrites: Map<string, string>;
  privateReads: Set<string>;
}

/** A one-peer, one-channel in-memory network running the impact-ledger chaincode. */
export class FakeNetwork {
  readonly world = new WorldState();
  private readonly dispatcher: Dispatcher;
  private sequence = 0;
  private seconds = Date.UTC(2026, 3, 1, 8, 0, 0) / 1000;
  /** How far the peer's clock is ahead of the transaction timestamps (ms; negative: behind). */
  peerClockSkewMs = 0;
  /** Every successful state-changing transaction's events, in order. */
  readonly committed: { fn: string; events: EmittedEvent[] }[] = [];

  /** `extraContracts`: contracts registered only in some deployments (the bench contract). */
  constructor(extraContracts: readonly unknown[] = []) {
    const serializers = { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } };
    this.dispatcher = new ChaincodeFromContract([...contracts, ...extraContracts], serializers, {}, 'impact-ledger', '0.1.0');
  }

  /**
   * The published metadata. Read from the dispatcher rather than through
   * `org.hyperledger.fabric:GetMetadata`, which fails with class-transformer 0.4.1 (classToPlain
   * was renamed there); impact-ledger's own transactions all return strings and are unaffected.
   */
  metadata(): ContractMetadata {
    return this.dispatcher.metadata;
  }

  /** A member with a fresh self-signed certificate; `ou` is `admin` for operators. */
  member(mspId: string, cn: string, ou: 'admin' | 'client' = 'client'): Member {
    const org = mspId.replace(/MSP$/, '').toLowerCase();
    const subject = `/C=US/O=${org}/OU=${ou}/CN=${cn}`;
    return { label: cn, mspId, pem: certificatePem(subject), identity: `${mspId}::x509::${subject}::${subject}` };
  }

  /** Runs `contract:Function` as `member`; commits its writes only if it succeeds. */
  async invoke<T = unknown>(member: Member, fqfn: string, ...args: string[]): Promise<TxOutcome<T>> {
    return this.invokeWith<T>(member, fqfn, args, {});
  }

  /** Like invoke, with transient data (key to UTF-8 text or bytes). */
  async invokeWith<T = unknown>(member: Member, fqfn: string, args: readonly string[], transient: Readonly<Record<string, string | Uint8Array>>): Promise<TxOutcome<T>> {
    this.sequence += 1;
    this.seconds += 60;
    const txId = createHash('sha256').update(`tx-${this.sequence}`).digest('hex');
    const transientMap = new Map(Object.entries(transient).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v, 'utf8') : v]));
    const stub = new FakeStub(this.world, txId, this.seconds, [fqfn, ...args], { mspid: member.mspId, idBytes: Buffer.from(member.pem) }, transientMap);
    const peerNow = this.seconds * 1000 + this.peerClockSkewMs;
    peerClock.now = () => peerNow;
    const response = await this.dispatcher.invokeFunctionality(stub);
    const ok = response.status === 200;
    if (stub.openIterators.some((i) => !i.closed)) throw new Error(`${fqfn} left a state iterator open`);
    if (ok) this.commit(stub, fqfn);
    const message = response.message ?? '';
    return {
      ok,
      txId,
      timestamp: new Date(this.seconds * 1000 + 123).toISOString(),
      result: (ok ? JSON.parse(Buffer.from(response.payload ?? []).toString('utf8') || 'null') : undefined) as T,
      error: ok ? undefined : ChaincodeError.fromWire(message),
      message,
      events: stub.events,
      writes: new Map([...stub.writes].map(([k, v]) => [k, v === null ? null : v.toString('utf8')])),
      reads: stub.reads,
      privateWrites: new Map([...stub.privateWrites].map(([k, v]) => [k, v.toString('utf8')])),
      privateReads: stub.privateReads,
    };
  }

  /** Like invoke, but throws unless the transaction succeeds; returns its result. */
  async ok<T = unknown>(member: Member, fqfn: string, ...args: string[]): Promise<T> {
    return this.okWith<T>(member, fqfn, args, {});
  }

  /** Like invokeWith, but throws unless the transaction succeeds; returns its result. */
  async okWith<T = unknown>(member: Member, fqfn: string, args: readonly string[], transient: Readonly<Record<string, string | Uint8Array>>): Promise<T> {
    const outcome = await this.invokeWith<T>(member, fqfn, args, transient);
    if (!outcome.ok) throw new Error(`${fqfn} by ${member.label} failed: ${outcome.message}`);
    return outcome.result;
  }

  private commit(stub: FakeStub, fn: string): void {
    for (const [key, value] of stub.privateWrites) this.world.privateEntries.set(key, value);
    for (const [key, value] of stub.writes) {
      if (value === null) this.world.entries.delete(key);
      else this.world.entries.set(key, value);
    }
    if (stub.writes.size > 0 || stub.events.length > 0) this.committed.push({ fn, events: stub.events });
  }
}
