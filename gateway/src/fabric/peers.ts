/**
 * Which peer a gateway talks to. The Gateway service of every channel peer serves clients of every
 * member organisation (endorsement follows the chaincode's policy through discovery, whichever
 * peer plans it), so an organisation's gateway keeps a list of peers: its own first, then the
 * other organisations' peers from network.json, each with its own gRPC connection (that peer's
 * TLS root certificate and host name). Calls go to the first peer that is not down, with the same
 * identities; while a peer is down a probe asks it again every few seconds, and the gateway
 * returns to its own peer as soon as the probe passes.
 *
 * A peer is down when a call to it failed with gRPC UNAVAILABLE, or DEADLINE_EXCEEDED while its
 * connection was not established (the process is gone, refuses connections or never accepts
 * one), or when its connection cannot be made; it is up again when its probe passes (the ledger's
 * probe: a readiness endorsement, and caught up with the blocks the gateway has seen). Any other
 * error is the peer's answer (a chaincode refusal, an endorsement policy not met, orderers out of
 * reach) and would be the same on another peer: it is returned as it is.
 */
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';

/** A channel peer the gateway can use. */
export interface PeerTarget {
  /** The peer's node name in network.json, e.g. `peer0.org1`. */
  readonly name: string;
  /** TLS host name (the server certificate's). */
  readonly host: string;
  /** gRPC `host:port`. */
  readonly endpoint: string;
  readonly tlsRootCertPath: string;
  /** The organisation that runs it. */
  readonly mspId: string;
}

/** A peer and the gateway's connection to it. */
export interface PeerConnection<C> {
  readonly peer: PeerTarget;
  /** True for the gateway's own organisation's peer. */
  readonly own: boolean;
  readonly connection: C;
}

/** What the gateway knows of its peers. */
export interface PeerState {
  /** The peer calls go to now. */
  readonly inUse: string;
  /** True when that is the organisation's own peer. */
  readonly own: boolean;
  /** Every peer in the order they are tried, and whether it is down. */
  readonly peers: readonly { readonly name: string; readonly own: boolean; readonly down: boolean }[];
}

/** A change of the peer in use. */
export interface PeerSwitch {
  readonly from: string;
  readonly to: string;
  /** True when the gateway is back on its own peer. */
  readonly backToOwn: boolean;
  /** Why the previous peer was left (the error that marked it down), for the log. */
  readonly reason?: string;
}

/** A stream that can be closed (fabric-gateway's `CloseableAsyncIterable`). */
export type CloseableStream<T> = AsyncIterable<T> & Disposable & { close(): void };

/** How a pool reaches its peers. */
export interface PeerPoolOptions<C> {
  /** Opens the connection to a peer (called once per peer, on its first use). */
  connect(peer: PeerTarget): C;
  /** True when `error`, from a call over `connection`, means the peer is down. */
  isDown(error: unknown, connection: C): boolean;
  /** Resolves when a peer that was down can serve again; rejects otherwise. */
  probe(peer: PeerConnection<C>): Promise<void>;
  close(connection: C): void;
  /** Hears of every change of state (a peer down or up), with the switch if the peer in use changed. */
  onChange?(state: PeerState, change: PeerSwitch | undefined): void;
  /** Milliseconds between probes of the peers that are down (default {@link PROBE_INTERVAL_MS}). */
  readonly probeIntervalMs?: number;
}

/** How often peers that are down are probed. */
export const PROBE_INTERVAL_MS = 2_000;

interface Slot<C> {
  readonly peer: PeerTarget;
  readonly own: boolean;
  connection?: C;
  down: boolean;
  reason?: string;
}

/** The connection of a peer could not be made (its TLS root certificate cannot be read, ...). */
class ConnectError extends Error {}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}

/** An ordered list of peers, their health, and the failover between them. */
export class PeerPool<C> {
  readonly #slots: readonly Slot<C>[];
  readonly #switchListeners = new Set<() => void>();
  #inUse: Slot<C>;
  #timer: NodeJS.Timeout | undefined;
  #probing = false;
  #closed = false;

  /**
   * `peers[0]` is the organisation's own peer: its connection is made now (a configuration error
   * stops the gateway at its start), the others' on their first use.
   */
  constructor(peers: readonly PeerTarget[], private readonly options: PeerPoolOptions<C>) {
    const [own, ...others] = peers;
    if (own === undefined) throw new Error('a peer pool needs at least one peer');
    this.#inUse = { peer: own, own: true, down: false, connection: options.connect(own) };
    this.#slots = [this.#inUse, ...others.map((peer) => ({ peer, own: false, down: false }))];
  }

  /** The peer calls go to now: the first that is not down (the own peer when all are). */
  current(): PeerConnection<C> {
    for (;;) {
      const slot = this.#inUse;
      try {
        return this.#view(slot);
      } catch (error) {
        // a peer whose connection cannot be made is down: the next one (the own one is made at the start)
        this.#markDown(slot, error);
        if (this.#inUse === slot) throw error;
      }
    }
  }

  state(): PeerState {
    return {
      inUse: this.#inUse.peer.name,
      own: this.#inUse.own,
      peers: this.#slots.map((slot) => ({ name: slot.peer.name, own: slot.own, down: slot.down })),
    };
  }

  /**
   * Runs `call` on the peer in use; when that peer turns out to be down, on the next peer that is
   * not, then on those that are (each peer once). Any other error is thrown at once. `isDown`
   * widens what counts as down for this call (e.g. a readiness ping that timed out).
   */
  async run<T>(call: (peer: PeerConnection<C>) => Promise<T>, isDown?: (error: unknown) => boolean): Promise<T> {
    let lastError: unknown;
    for (const slot of [...this.#slots.filter((s) => !s.down), ...this.#slots.filter((s) => s.down)]) {
      let view: PeerConnection<C>;
      try {
        view = this.#view(slot);
      } catch (error) {
        this.#markDown(slot, error);
        lastError = error;
        continue;
      }
      try {
        return await call(view);
      } catch (error) {
        if (isDown?.(error) === true) this.#markDown(slot, error);
        else if (!this.report(view, error)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  /** Tells the pool of a failed call made outside {@link run}; true when it shows the peer is down. */
  report(peer: PeerConnection<C>, error: unknown): boolean {
    const slot = this.#slots.find((s) => s.peer.name === peer.peer.name);
    if (slot === undefined || !this.options.isDown(error, peer.connection)) return false;
    this.#markDown(slot, error);
    return true;
  }

  /**
   * A stream read from `peer`: an error that shows the peer down is reported, and the stream ends
   * when the pool switches to another peer (so its reader reopens it there).
   */
  watch<T>(peer: PeerConnection<C>, stream: CloseableStream<T>): CloseableStream<T> {
    let switched = false;
    const onSwitch = (): void => {
      switched = true;
      stream.close();
    };
    this.#switchListeners.add(onSwitch);
    const stop = (): void => { this.#switchListeners.delete(onSwitch); };
    const report = (error: unknown): boolean => this.report(peer, error);
    return {
      async *[Symbol.asyncIterator]() {
        try {
          for await (const item of stream) yield item;
        } catch (error) {
          if (!switched) {
            report(error);
            throw error;
          }
        } finally {
          stop();
        }
      },
      close: () => {
        stop();
        stream.close();
      },
      [Symbol.dispose]: () => {
        stop();
        stream.close();
      },
    };
  }

  /** Stops probing and closes every connection. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#switchListeners.clear();
    for (const slot of this.#slots) {
      if (slot.connection !== undefined) this.options.close(slot.connection);
      delete slot.connection;
    }
  }

  #view(slot: Slot<C>): PeerConnection<C> {
    if (slot.connection === undefined) {
      try {
        slot.connection = this.options.connect(slot.peer);
      } catch (error) {
        throw new ConnectError(`cannot connect to ${slot.peer.name}: ${describe(error)}`, { cause: error });
      }
    }
    return { peer: slot.peer, own: slot.own, connection: slot.connection };
  }

  #markDown(slot: Slot<C>, error: unknown): void {
    if (slot.down || this.#closed) return;
    slot.down = true;
    slot.reason = describe(error);
    this.#changed();
    this.#timer ??= setInterval(() => void this.#probe(), this.options.probeIntervalMs ?? PROBE_INTERVAL_MS).unref();
  }

  /** Probes every peer that is down (one round at a time); stops when none is. */
  async #probe(): Promise<void> {
    if (this.#probing || this.#closed) return;
    this.#probing = true;
    try {
      for (const slot of this.#slots.filter((s) => s.down)) {
        // a connection that cannot be made fails the probe: the peer stays down
        const passed = await Promise.resolve().then(() => this.options.probe(this.#view(slot))).then(() => true, () => false);
        if (passed && !this.#closed) {
          slot.down = false;
          delete slot.reason;
          this.#changed();
        }
      }
    } finally {
      this.#probing = false;
      if (this.#slots.every((s) => !s.down) && this.#timer !== undefined) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    }
  }

  /** Recomputes the peer in use after a peer went down or up; tells the listeners. */
  #changed(): void {
    const previous = this.#inUse;
    this.#inUse = this.#slots.find((s) => !s.down) ?? (this.#slots[0] as Slot<C>);
    const change: PeerSwitch | undefined = previous === this.#inUse ? undefined : {
      from: previous.peer.name,
      to: this.#inUse.peer.name,
      backToOwn: this.#inUse.own,
      ...(previous.reason === undefined ? {} : { reason: previous.reason }),
    };
    this.options.onChange?.(this.state(), change);
    if (change !== undefined) for (const listener of [...this.#switchListeners]) listener();
  }
}

const GRPC_READY = grpc.connectivityState.READY;

function grpcCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
}

/**
 * True when a gRPC error shows the peer down: UNAVAILABLE, or DEADLINE_EXCEEDED while the
 * connection was not established. A peer whose connection is up answered: its error stands.
 */
export function isPeerDown(error: unknown, client: grpc.Client): boolean {
  const code = grpcCode(error);
  if (code !== grpc.status.UNAVAILABLE && code !== grpc.status.DEADLINE_EXCEEDED) return false;
  return client.getChannel().getConnectivityState(false) !== GRPC_READY;
}

/** A readiness ping that did not get its answer in time: the peer is hung even if connected. */
export function isPingTimeout(error: unknown): boolean {
  return grpcCode(error) === grpc.status.DEADLINE_EXCEEDED;
}

/** A gRPC client of a peer's Gateway service (TLS with the peer's root certificate and host name). */
export function peerClient(peer: PeerTarget): grpc.Client {
  const tls = grpc.credentials.createSsl(readFileSync(peer.tlsRootCertPath));
  return new grpc.Client(peer.endpoint, tls, {
    'grpc.ssl_target_name_override': peer.host,
    // The peer drops clients that ping more often than its keepalive minInterval (60 s).
    'grpc.keepalive_time_ms': 120_000,
  });
}
