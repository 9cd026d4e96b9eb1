/**
 * The direct path: @hyperledger/fabric-gateway over one long-lived gRPC connection per peer
 * (or, with `reuse: false`, one connection per identity), submitAsync with the commit status
 * awaited concurrently, and a tracker of every peer's block height (filtered block events) so a
 * hand-off between organisations waits exactly until every peer has the block.
 */
import * as grpc from '@grpc/grpc-js';
import { connect, type Contract, type Gateway, type Network } from '@hyperledger/fabric-gateway';
import { keySigning } from '@impact-ledger/gateway';
import { createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { NetworkInfo, PeerInfo, UserInfo } from '../../test/helpers/network';
import type { Outcome } from '../lib/stats';

/** Commit status codes of an MVCC or phantom read conflict (TxValidationCode 11, 12). */
export const MVCC_CODES: ReadonlySet<number> = new Set([11, 12]);

const utf8 = new TextDecoder();

/** One identity connected to one peer. */
export class Actor {
  constructor(readonly label: string, readonly gateway: Gateway, readonly network: Network, private readonly chaincode: string) {}

  contract(name: string): Contract {
    return this.network.getContract(this.chaincode, name);
  }

  /** Evaluates `contract:fn`; the parsed JSON answer. */
  async evaluate<T>(fqfn: string, ...args: string[]): Promise<T> {
    const [name, fn] = fqfn.split(':') as [string, string];
    const text = utf8.decode(await this.contract(name).evaluate(fn, { arguments: args }));
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** Evaluates `contract:fn` as a timed outcome; never throws. */
  async timedEvaluate(fqfn: string, ...args: string[]): Promise<Outcome> {
    const started = performance.now();
    try {
      await this.evaluate(fqfn, ...args);
      return { ok: true, ms: performance.now() - started };
    } catch (error) {
      return { ok: false, mvcc: false, error: String(error).slice(0, 300) };
    }
  }

  /**
   * Submits `contract:fn` and awaits its commit status; never throws. Latency = endorse start ->
   * commit status on this peer.
   */
  async submit(fqfn: string, ...args: string[]): Promise<Outcome & { blockNumber?: bigint; result?: unknown }> {
    return this.submitWith(fqfn, args, {});
  }

  /** Like {@link submit}, with proposal transient data (the credential of a claim). */
  async submitWith(fqfn: string, args: readonly string[], transient: Readonly<Record<string, string>>): Promise<Outcome & { blockNumber?: bigint; result?: unknown }> {
    const [name, fn] = fqfn.split(':') as [string, string];
    const started = performance.now();
    try {
      const submitted = await this.contract(name).submitAsync(fn, { arguments: [...args], transientData: transient });
      const status = await submitted.getStatus();
      const ms = performance.now() - started;
      if (status.successful) {
        const text = utf8.decode(submitted.getResult());
        return { ok: true, ms, blockNumber: status.blockNumber, result: text === '' ? undefined : JSON.parse(text) };
      }
      return { ok: false, mvcc: MVCC_CODES.has(status.code), error: `${fqfn} ${status.transactionId} invalid, code ${status.code}` };
    } catch (error) {
      const details = (error as { details?: { message: string }[] }).details?.map((d) => d.message).join('; ') ?? '';
      return { ok: false, mvcc: false, error: `${fqfn}: ${String(error)} ${details}`.slice(0, 500) };
    }
  }

  close(): void {
    this.gateway.close();
  }
}

/** Connects identities of the network, sharing one gRPC connection per peer unless told not to. */
export class Connections {
  readonly #clients = new Map<string, grpc.Client>();
  readonly #actors: Actor[] = [];

  constructor(private readonly net: NetworkInfo, private readonly reuse = true) {}

  #client(peer: PeerInfo, key: string): grpc.Client {
    const id = this.reuse ? peer.endpoint : `${peer.endpoint}/${key}`;
    let client = this.#clients.get(id);
    if (!client) {
      client = new grpc.Client(peer.endpoint, grpc.credentials.createSsl(readFileSync(peer.tlsRootCertPath)), {
        'grpc.ssl_target_name_override': peer.host,
        'grpc.keepalive_time_ms': 120_000,
        'grpc.max_receive_message_length': 100 * 1024 * 1024,
        'grpc.max_send_message_length': 100 * 1024 * 1024,
      });
      this.#clients.set(id, client);
    }
    return client;
  }

  /** `user` ('Admin', 'User1'..'User5') of org `org` (1-based), through org `peerOrg`'s peer. */
  actor(org: number, user: string, peerOrg = org): Actor {
    const orgInfo = this.net.orgs[org - 1];
    const peerInfo = this.net.orgs[peerOrg - 1]?.peer;
    if (!orgInfo || !peerInfo) throw new Error(`no org ${org} / ${peerOrg}`);
    const info: UserInfo | undefined = user === 'Admin' ? orgInfo.admin : orgInfo.users.find((u) => u.name.startsWith(`${user}@`));
    if (!info) throw new Error(`no ${user} in ${orgInfo.mspId}`);
    const keyFile = readdirSync(info.keyDir).find((f) => f.endsWith('_sk'));
    if (!keyFile) throw new Error(`no key in ${info.keyDir}`);
    const gateway = connect({
      client: this.#client(peerInfo, `${org}/${user}`),
      identity: { mspId: orgInfo.mspId, credentials: readFileSync(info.certPath) },
      // signs as the gateways do (node:crypto), so HTTP/direct compares the HTTP layer, not two signers
      ...keySigning(createPrivateKey(readFileSync(path.join(info.keyDir, keyFile)))),
      evaluateOptions: () => ({ deadline: Date.now() + 120_000 }),
      endorseOptions: () => ({ deadline: Date.now() + 120_000 }),
      submitOptions: () => ({ deadline: Date.now() + 60_000 }),
      commitStatusOptions: () => ({ deadline: Date.now() + 180_000 }),
    });
    const actor = new Actor(`${user}@org${org}`, gateway, gateway.getNetwork(this.net.channel), this.net.chaincode);
    this.#actors.push(actor);
    return actor;
  }

  close(): void {
    for (const actor of this.#actors) actor.close();
    for (const client of this.#clients.values()) client.close();
  }
}

/** Every peer's block height, from filtered block events (one stream per peer). */
export class Heights {
  readonly #heights: bigint[];
  readonly #closers: (() => void)[] = [];
  #waiters: { block: bigint; resolve: () => void }[] = [];

  private constructor(count: number) {
    this.#heights = new Array<bigint>(count).fill(0n);
  }

  /** Starts one filtered-block stream per `watchers` actor (one per peer). */
  static async start(watchers: readonly Actor[]): Promise<Heights> {
    const heights = new Heights(watchers.length);
    await Promise.all(watchers.map(async (actor, i) => {
      const events = await actor.network.getFilteredBlockEvents();
      heights.#closers.push(() => events.close());
      void (async () => {
        try {
          for await (const block of events) heights.#seen(i, BigInt(block.getNumber()) + 1n);
        } catch {
          // closed at the end of the run
        }
      })();
    }));
    return heights;
  }

  #seen(peer: number, height: bigint): void {
    if (height > (this.#heights[peer] ?? 0n)) this.#heights[peer] = height;
    const min = this.#heights.reduce((a, b) => (a < b ? a : b));
    const ready = this.#waiters.filter((w) => w.block < min);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => w.block >= min);
    for (const w of ready) w.resolve();
  }

  /** Resolves when every peer has committed block `block`. */
  everywhere(block: bigint): Promise<void> {
    const min = this.#heights.reduce((a, b) => (a < b ? a : b));
    if (block < min) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ block, resolve }));
  }

  close(): void {
    for (const close of this.#closers) close();
  }
}
