/**
 * Fabric access of one gateway: long-lived gRPC connections to the organisation's peer and, to
 * fail over to while it is down, the other organisations' peers (./peers.ts), one fabric-gateway
 * `Gateway` per mapped identity and peer (created on first use), per-call deadlines, evaluate for
 * reads, submit + commit status for writes, bounded retries of MVCC/phantom conflicts (a new
 * transaction each time) and of the transient planning error after a peer restart. A transaction
 * is endorsed, sent and its commit status asked with the same bytes (the same transaction id) on
 * whichever peer answers.
 */
import type * as grpc from '@grpc/grpc-js';
import { connect, hash, type ChaincodeEvent, type CloseableAsyncIterable, type Gateway, type Identity, type Network, type Status, type Transaction } from '@hyperledger/fabric-gateway';
import fabricProtos from '@hyperledger/fabric-protos';
import { createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { GatewayConfig } from '../config.js';
import { ApiError } from '../problem.js';
import { isTransientPlanningError, toApiError } from './errors.js';
import type { NetworkUser, OrgNetwork } from './network-info.js';
import { isPeerDown, isPingTimeout, peerClient, PeerPool, type PeerConnection, type PeerState, type PeerSwitch } from './peers.js';
import { keySigning, type KeySigning } from './signing-key.js';

const { common, gateway: gatewayProtos, msp, peer } = fabricProtos;

/** A committed transaction: the chaincode's result, its id and its block. */
export interface Committed<T> {
  readonly result: T;
  readonly txId: string;
  readonly blockNumber: number;
}

/** An endorsed transaction, before it is sent to the orderer. */
export interface PreparedTransaction {
  readonly txId: string;
  /** Base64 of the serialised transaction (fabric-gateway `Transaction.getBytes()`). */
  readonly transaction: string;
}

/**
 * Hears of each endorsed transaction before it is sent (the idempotency journal); the transaction
 * is sent only once the returned promise has settled, and not at all if it rejects.
 */
export type PreparedListener = (prepared: PreparedTransaction) => Promise<void> | void;

/** Latencies a submission took, reported to the metrics. */
export interface SubmitTimings {
  readonly endorseAndSubmitSeconds: number;
  readonly commitSeconds: number;
}

/** Transient data of a proposal: key to bytes, seen by the endorsing peers only. */
export type TransientData = Readonly<Record<string, Uint8Array>>;

/** What the routes need of the ledger: reads, writes, block lookups, readiness and events. */
export interface Ledger {
  /** The channel and chaincode this ledger serves. */
  readonly channel: string;
  readonly chaincode: string;
  /** Evaluates `contract:function` as `user` on the peer in use; the parsed JSON result. */
  evaluate(user: string, fqfn: string, args: readonly string[]): Promise<unknown>;
  /**
   * Submits `contract:function` as `user` and waits for its commit. `onPrepared` hears of each
   * endorsed transaction (its id and signed bytes) before it is sent to the orderer. `transient`
   * goes to the endorsing peers in the proposal only (never into the transaction or a block).
   */
  submit(user: string, fqfn: string, args: readonly string[], onPrepared?: PreparedListener, transient?: TransientData): Promise<Committed<unknown>>;
  /**
   * What became of transactions prepared earlier (the newest last): the committed one, if any;
   * else, when the ledger has never seen the newest, that one sent again (same id, so at most one
   * of them can ever be valid) and its outcome; undefined when none committed.
   */
  recover(user: string, prepared: readonly PreparedTransaction[]): Promise<Committed<unknown> | undefined>;
  /**
   * Resolves once the peer in use has committed block `blockNumber` (a number another
   * gateway answered with); 412 BLOCK_NOT_YET_COMMITTED after `deadlines.minBlockWaitMs`, and at
   * once for a block more than 100 ahead of the peer.
   */
  waitForBlock(blockNumber: number): Promise<void>;
  /** The block holding transaction `txId` (cached: a committed tx never moves). */
  blockOf(txId: string): Promise<number>;
  /** The raw block (protobuf common.Block) holding transaction `txId`, or block number `number` (qscc, as the Admin). */
  rawBlock(query: { txId: string } | { number: number }): Promise<Uint8Array>;
  /** A `system:Ping` with the short readiness deadline; the peer that answered. Throws when Fabric is unreachable. */
  ping(): Promise<PeerInUse>;
  /** Chaincode events from `startBlock`, read as the organisation's Admin. */
  chaincodeEvents(startBlock: bigint): Promise<CloseableAsyncIterable<ChaincodeEvent>>;
  /** Closes every Gateway and the gRPC connection. */
  close(): void;
  /**
   * A fabric-gateway `Gateway` for `identity` with no signer, on the organisation's peer with the
   * usual deadlines: for transactions its client signs itself (offline signing: `newSignedProposal`,
   * `newSignedTransaction`). Cached per identity. (Optional, as `commitStatus`: test doubles
   * without them serve custodial callers only.)
   */
  offlineGateway?(identity: Identity): Gateway;
  /**
   * Waits until transaction `txId`, whoever signed it, is committed on the peer in use (failing
   * over as reads do) and answers its validation code and block, asked as the organisation's
   * Admin: the commit-status request is a read, so a client-signed transaction's creator signs
   * only its proposal and its transaction.
   */
  commitStatus?(txId: string): Promise<Status>;
}

/** Which users' private keys the ledger may read (the declared custodial ones); default: all. */
export interface KeyCustody {
  mayReadKey(user: string): boolean;
}

/** The peer the gateway's calls go to. */
export interface PeerInUse {
  /** Its node name, e.g. `peer0.org1`. */
  readonly peer: string;
  /** True when it is the organisation's own peer (false while failed over). */
  readonly ownPeer: boolean;
}

/** Hooks the ledger reports latencies and its peers' state through. */
export interface LedgerObserver {
  onSubmitted?(timings: SubmitTimings): void;
  /** Once at the start, then at each change: a peer down or up, with the switch when the peer in use changed. */
  onPeers?(state: PeerState, change: PeerSwitch | undefined): void;
}

const utf8 = new TextDecoder();
/** Validation codes of a transaction that lost a read conflict: retried as a new transaction. */
export const RETRIED_CODES: ReadonlySet<number> = new Set([peer.TxValidationCode.MVCC_READ_CONFLICT, peer.TxValidationCode.PHANTOM_READ_CONFLICT]);
const PLANNING_RETRY_DELAY_MS = 500;
const BLOCK_POLL_MS = 100;
/** How many blocks ahead of the peer a Min-Block-Number may be and still be waited for. */
const MAX_AWAITED_BLOCKS = 100;

/**
 * A CommitStatusRequest for `txId` on `channel` in the name of `identity`, unsigned: the
 * fabric-gateway `Gateway` of that identity signs it (`newCommit(bytes).getStatus()`).
 */
function commitStatusRequest(identity: Identity, channel: string, txId: string): Uint8Array {
  const requester = new msp.SerializedIdentity();
  requester.setMspid(identity.mspId);
  requester.setIdBytes(identity.credentials);
  const request = new gatewayProtos.CommitStatusRequest();
  request.setTransactionId(txId);
  request.setChannelId(channel);
  request.setIdentity(requester.serializeBinary());
  const signed = new gatewayProtos.SignedCommitStatusRequest();
  signed.setRequest(request.serializeBinary());
  return signed.serializeBinary();
}

/** A chaincode result: its JSON, or undefined for an empty result. */
export function parseResult(bytes: Uint8Array): unknown {
  const text = utf8.decode(bytes);
  return text === '' ? undefined : JSON.parse(text);
}

function splitName(fqfn: string): { contract: string; fn: string } {
  const [contract, fn] = fqfn.split(':');
  if (contract === undefined || fn === undefined) throw new Error(`expected contract:function, got ${fqfn}`);
  return { contract, fn };
}

function privateKeyOf(user: NetworkUser): ReturnType<typeof createPrivateKey> {
  const keyFile = readdirSync(user.keyDir).find((file) => file.endsWith('_sk'));
  if (keyFile === undefined) throw new Error(`no private key (*_sk) in ${user.keyDir}`);
  return createPrivateKey(readFileSync(path.join(user.keyDir, keyFile)));
}

function messageOf(error: unknown): string {
  const details = isObject(error) && Array.isArray(error.details) ? error.details.map((d: unknown) => (isObject(d) ? String(d.message) : '')).join(' ') : '';
  return `${error instanceof Error ? error.message : String(error)} ${details}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type Peer = PeerConnection<grpc.Client>;

class FabricLedger implements Ledger {
  readonly #peers: PeerPool<grpc.Client>;
  /** Gateways by peer name and user name. */
  readonly #gateways = new Map<string, Gateway>();
  readonly #offline = new Map<string, Gateway>();
  readonly #blocks = new Map<string, number>();
  /** The highest chain height seen on each peer (never goes down). */
  readonly #heights = new Map<string, number>();
  /** The highest chain height the gateway has seen on any peer or committed to (never goes down). */
  #seen = 0;
  readonly channel: string;
  readonly chaincode: string;

  constructor(
    private readonly org: OrgNetwork,
    private readonly config: GatewayConfig,
    private readonly observer: LedgerObserver,
    private readonly custody?: KeyCustody,
  ) {
    this.channel = org.channel;
    this.chaincode = org.chaincode;
    this.#peers = new PeerPool(org.peers, {
      connect: peerClient,
      isDown: isPeerDown,
      probe: (peer) => this.#probe(peer),
      close: (client) => client.close(),
      onChange: (state, change) => observer.onPeers?.(state, change),
    });
    observer.onPeers?.(this.#peers.state(), undefined);
  }

  #gateway(userName: string, peer: Peer = this.#peers.current()): Gateway {
    const key = `${peer.peer.name}\n${userName}`;
    let gateway = this.#gateways.get(key);
    if (gateway === undefined) {
      gateway = this.#connect(userName, peer.connection);
      this.#gateways.set(key, gateway);
    }
    return gateway;
  }

  #network(userName: string, peer?: Peer): Network {
    return this.#gateway(userName, peer).getNetwork(this.org.channel);
  }

  /** Runs `call` with `userName`'s Gateway on the peer in use, or on the next ones while peers are down. */
  #onPeer<T>(userName: string, call: (gateway: Gateway, peer: Peer) => Promise<T>): Promise<T> {
    return this.#peers.run((peer) => call(this.#gateway(userName, peer), peer));
  }

  /** `qscc` function `fn` on the channel, evaluated as the Admin on the peer in use. */
  #qscc(fn: string, args: readonly string[]): Promise<Uint8Array> {
    return this.#onPeer(this.org.admin.name, (gateway) => gateway.getNetwork(this.org.channel).getContract('qscc').evaluateTransaction(fn, this.org.channel, ...args));
  }

  /**
   * A peer that was down can serve again when it endorses a `system:Ping` (its Gateway plans
   * endorsements again: it sees the other organisations) within the readiness deadline, and has
   * caught up with the blocks the gateway has seen (so reads do not go back in time).
   */
  async #probe(peer: Peer): Promise<void> {
    const deadline = (): { deadline: number } => ({ deadline: Date.now() + this.config.deadlines.readyMs });
    await this.#network(this.org.admin.name, peer).getContract(this.org.chaincode, 'system').newProposal('Ping').endorse(deadline());
    const height = await this.#chainHeight(peer);
    if (height < this.#seen) throw new Error(`${peer.peer.name} has ${height} blocks, the gateway has seen ${this.#seen}`);
  }

  #connect(userName: string, client: grpc.Client): Gateway {
    const user = this.org.users.get(userName);
    if (user === undefined) throw new ApiError(500, 'UNKNOWN_IDENTITY', `API key maps to ${userName}, who is not a user of ${this.org.mspId}`);
    if (this.custody !== undefined && !this.custody.mayReadKey(userName)) {
      throw new ApiError(403, 'CLIENT_SIGNATURE_REQUIRED', `this gateway does not hold the key of ${userName}: its transactions are signed by its own client`);
    }
    return this.#connectAs(client, { mspId: this.org.mspId, credentials: readFileSync(user.certPath) }, keySigning(privateKeyOf(user)));
  }

  /** A Gateway for `identity`: signing with `signing`, or offline (its client signs) without. */
  #connectAs(client: grpc.Client, identity: Identity, signing?: KeySigning): Gateway {
    const { evaluateMs, endorseMs, submitMs, commitStatusMs } = this.config.deadlines;
    return connect({
      client,
      identity,
      // offline, `getDigest()` is the SHA-256 of each message, as the client-signing protocol says
      ...(signing ?? { hash: hash.sha256 }),
      evaluateOptions: () => ({ deadline: Date.now() + evaluateMs }),
      endorseOptions: () => ({ deadline: Date.now() + endorseMs }),
      submitOptions: () => ({ deadline: Date.now() + submitMs }),
      commitStatusOptions: () => ({ deadline: Date.now() + commitStatusMs }),
    });
  }

  /**
   * On the peer in use when a signing session starts: its steps stay on that peer (a peer that
   * goes down mid-session fails the step with 503; the client starts again, on the next peer).
   */
  offlineGateway(identity: Identity): Gateway {
    const peer = this.#peers.current();
    const key = `${peer.peer.name}\u0000${identity.mspId}\u0000${Buffer.from(identity.credentials).toString('base64')}`;
    let gateway = this.#offline.get(key);
    if (gateway === undefined) {
      gateway = this.#connectAs(peer.connection, identity);
      this.#offline.set(key, gateway);
    }
    return gateway;
  }

  async evaluate(user: string, fqfn: string, args: readonly string[]): Promise<unknown> {
    const { contract, fn } = splitName(fqfn);
    try {
      const bytes = await this.#onPeer(user, (gateway) => gateway.getNetwork(this.org.channel).getContract(this.org.chaincode, contract).evaluate(fn, { arguments: [...args] }));
      return parseResult(bytes);
    } catch (error) {
      throw toApiError(error, fqfn);
    }
  }

  async submit(user: string, fqfn: string, args: readonly string[], onPrepared?: PreparedListener, transient?: TransientData): Promise<Committed<unknown>> {
    const attempts = this.config.maxSubmitAttempts;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#submitOnce(user, fqfn, args, onPrepared, transient).catch((error: unknown) => {
        if (attempt < attempts && isTransientPlanningError(error)) return 'retry' as const;
        throw toApiError(error, fqfn);
      });
      if (outcome !== 'retry' && outcome.committed !== undefined) return outcome.committed;
      if (attempt >= attempts) {
        throw new ApiError(409, 'MVCC_CONFLICT', `${fqfn} conflicted with concurrent transactions ${attempts} times; retry the request`);
      }
      await delay(outcome === 'retry' ? PLANNING_RETRY_DELAY_MS : 50 * attempt);
    }
  }

  /** One transaction: committed, or `{}` when it lost an MVCC/phantom read conflict. */
  async #submitOnce(user: string, fqfn: string, args: readonly string[], onPrepared?: PreparedListener, transient?: TransientData): Promise<{ committed?: Committed<unknown> }> {
    const { contract, fn } = splitName(fqfn);
    const started = performance.now();
    const proposal = this.#network(user).getContract(this.org.chaincode, contract)
      .newProposal(fn, { arguments: [...args], ...(transient === undefined ? {} : { transientData: transient }) }).getBytes();
    const transaction = await this.#onPeer(user, (gateway) => gateway.newProposal(proposal).endorse());
    await onPrepared?.({ txId: transaction.getTransactionId(), transaction: Buffer.from(transaction.getBytes()).toString('base64') });
    return this.#send(user, transaction, started);
  }

  /**
   * Sends an endorsed transaction to the orderer and waits for its commit status; on a peer that
   * is down, sends the same transaction again (same id: at most one copy can be valid) and asks
   * its status of the next peer.
   */
  async #send(user: string, transaction: Transaction, started: number): Promise<{ committed?: Committed<unknown> }> {
    const bytes = transaction.getBytes();
    const submitted = await this.#onPeer(user, (gateway) => gateway.newTransaction(bytes).submit());
    const sent = performance.now();
    const commit = submitted.getBytes();
    const status = this.#noteStatus(await this.#onPeer(user, (gateway) => gateway.newCommit(commit).getStatus()));
    this.observer.onSubmitted?.({ endorseAndSubmitSeconds: (sent - started) / 1000, commitSeconds: (performance.now() - sent) / 1000 });
    if (status.successful) {
      return { committed: { result: parseResult(submitted.getResult()), txId: status.transactionId, blockNumber: Number(status.blockNumber) } };
    }
    if (RETRIED_CODES.has(status.code)) return {};
    throw new ApiError(409, 'TRANSACTION_INVALID', `transaction ${status.transactionId} was not committed (validation code ${status.code}); retry the request`, { txId: status.transactionId });
  }

  async commitStatus(txId: string): Promise<Status> {
    const request = (gateway: Gateway): Promise<Status> => gateway.newCommit(commitStatusRequest(gateway.getIdentity(), this.org.channel, txId)).getStatus();
    return this.#noteStatus(await this.#onPeer(this.org.admin.name, request));
  }

  /** Remembers what a commit status tells: the chain is at least that high, a valid transaction's block. */
  #noteStatus(status: Status): Status {
    this.#seen = Math.max(this.#seen, Number(status.blockNumber) + 1);
    if (status.successful) this.#blocks.set(status.transactionId, Number(status.blockNumber));
    return status;
  }

  async recover(user: string, prepared: readonly PreparedTransaction[]): Promise<Committed<unknown> | undefined> {
    try {
      const gateway = this.#gateway(user);
      let newestSeen = false;
      for (const [index, item] of prepared.entries()) {
        const code = await this.#validationCode(item.txId);
        if (index === prepared.length - 1) newestSeen = code !== undefined;
        if (code === peer.TxValidationCode.VALID) {
          const transaction = gateway.newTransaction(Buffer.from(item.transaction, 'base64'));
          return { result: parseResult(transaction.getResult()), txId: item.txId, blockNumber: await this.blockOf(item.txId) };
        }
      }
      const newest = prepared[prepared.length - 1];
      if (newestSeen || newest === undefined) return undefined;
      const outcome = await this.#send(user, gateway.newTransaction(Buffer.from(newest.transaction, 'base64')), performance.now());
      return outcome.committed;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'TRANSACTION_INVALID') return undefined;
      throw toApiError(error, 'the recovery of an earlier transaction');
    }
  }

  /** The validation code of a transaction the ledger holds, or undefined when it holds none with this id. */
  async #validationCode(txId: string): Promise<number | undefined> {
    try {
      const bytes = await this.#qscc('GetTransactionByID', [txId]);
      return peer.ProcessedTransaction.deserializeBinary(bytes).getValidationcode();
    } catch (error) {
      if (/no such transaction ID|Failed to get transaction with id/i.test(messageOf(error))) return undefined;
      throw error;
    }
  }

  async waitForBlock(blockNumber: number): Promise<void> {
    if (blockNumber < (this.#heights.get(this.#peers.current().peer.name) ?? 0)) return;
    const deadline = Date.now() + this.config.deadlines.minBlockWaitMs;
    for (;;) {
      const height = await this.#chainHeight().catch((error: unknown) => { throw toApiError(error, 'the block height lookup'); });
      if (blockNumber < height) return;
      // A block far ahead is not about to arrive: say so now rather than after the whole wait.
      if (Date.now() >= deadline || blockNumber >= height + MAX_AWAITED_BLOCKS) {
        throw new ApiError(412, 'BLOCK_NOT_YET_COMMITTED', `the peer this gateway reads from has committed blocks up to ${height - 1}, not yet ${blockNumber}; retry shortly`, { blockNumber, height });
      }
      await delay(BLOCK_POLL_MS);
    }
  }

  /** The chain height of `only`, or of the peer in use; recorded as seen. */
  async #chainHeight(only?: Peer): Promise<number> {
    const read = async (peer: Peer): Promise<number> => {
      const bytes = await this.#gateway(this.org.admin.name, peer).getNetwork(this.org.channel).getContract('qscc').evaluateTransaction('GetChainInfo', this.org.channel);
      const height = Math.max(this.#heights.get(peer.peer.name) ?? 0, common.BlockchainInfo.deserializeBinary(bytes).getHeight());
      this.#heights.set(peer.peer.name, height);
      this.#seen = Math.max(this.#seen, height);
      return height;
    };
    return only === undefined ? this.#peers.run(read) : read(only);
  }

  async blockOf(txId: string): Promise<number> {
    const cached = this.#blocks.get(txId);
    if (cached !== undefined) return cached;
    try {
      const bytes = await this.#qscc('GetBlockByTxID', [txId]);
      const blockNumber = Number(common.Block.deserializeBinary(bytes).getHeader()?.getNumber() ?? -1);
      if (blockNumber < 0) throw new Error(`block of ${txId} has no header`);
      this.#blocks.set(txId, blockNumber);
      return blockNumber;
    } catch (error) {
      throw toApiError(error, `the block lookup of ${txId}`);
    }
  }

  async rawBlock(query: { txId: string } | { number: number }): Promise<Uint8Array> {
    const what = 'txId' in query ? `the block of ${query.txId}` : `block ${query.number}`;
    try {
      return 'txId' in query
        ? await this.#qscc('GetBlockByTxID', [query.txId])
        : await this.#qscc('GetBlockByNumber', [String(query.number)]);
    } catch (error) {
      throw toApiError(error, what);
    }
  }

  async ping(): Promise<PeerInUse> {
    try {
      // A ping without an answer in time counts as down even on an open connection (a hung peer).
      return await this.#peers.run(async (peer) => {
        await this.#network(this.org.admin.name, peer).getContract(this.org.chaincode, 'system').newProposal('Ping').evaluate({ deadline: Date.now() + this.config.deadlines.readyMs });
        return { peer: peer.peer.name, ownPeer: peer.own };
      }, isPingTimeout);
    } catch (error) {
      throw toApiError(error, 'system:Ping');
    }
  }

  /** Read from the peer in use; the stream ends when the gateway switches peer (the feed then reopens it there). */
  async chaincodeEvents(startBlock: bigint): Promise<CloseableAsyncIterable<ChaincodeEvent>> {
    const peer = this.#peers.current();
    try {
      return this.#peers.watch(peer, await this.#network(this.org.admin.name, peer).getChaincodeEvents(this.org.chaincode, { startBlock }));
    } catch (error) {
      this.#peers.report(peer, error);
      throw error;
    }
  }

  close(): void {
    for (const gateway of [...this.#gateways.values(), ...this.#offline.values()]) gateway.close();
    this.#gateways.clear();
    this.#offline.clear();
    this.#peers.close();
  }
}

/** Opens the organisation's Fabric access (the connection is made lazily by gRPC). */
export function openLedger(org: OrgNetwork, config: GatewayConfig, observer: LedgerObserver = {}, custody?: KeyCustody): Ledger {
  return new FabricLedger(org, config, observer, custody);
}
