/**
 * The gateway's peer failover (gateway/src/fabric/peers.ts) with fake connections: the own peer
 * first; a call that finds its peer down goes on to the next peer, any other error is the answer;
 * a peer down is probed until it passes, then the gateway returns to its own; a stream read
 * through a peer ends when the gateway switches. And with real gRPC: what counts as "down".
 */
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import net from 'node:net';
import { isPeerDown, PeerPool, type CloseableStream, type PeerState, type PeerSwitch, type PeerTarget } from '@impact-ledger/gateway';

const peers: PeerTarget[] = [1, 2, 3].map((n) => ({ name: `peer0.org${n}`, host: `peer0.org${n}.local`, endpoint: `127.0.0.1:${7000 + n}`, tlsRootCertPath: '/nonexistent', mspId: `Org${n}MSP` }));

/** A fake connection: which peer it reaches. */
interface Fake { readonly name: string }
class DownError extends Error {}

interface Harness {
  pool: PeerPool<Fake>;
  changes: { state: PeerState; change: PeerSwitch | undefined }[];
  /** Peers whose probe passes. */
  healthy: Set<string>;
  probes: string[];
}

function harness(): Harness {
  const changes: Harness['changes'] = [];
  const healthy = new Set<string>();
  const probes: string[] = [];
  const pool = new PeerPool<Fake>(peers, {
    connect: (peer) => ({ name: peer.name }),
    isDown: (error) => error instanceof DownError,
    probe: async (peer) => {
      probes.push(peer.peer.name);
      if (!healthy.has(peer.peer.name)) throw new DownError('still down');
    },
    close: () => undefined,
    onChange: (state, change) => changes.push({ state, change }),
    probeIntervalMs: 20,
  });
  return { pool, changes, healthy, probes };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('gateway peer failover', () => {
  let h: Harness;
  beforeEach(() => { h = harness(); });
  afterEach(() => h.pool.close());

  it('uses its own peer while it answers, and returns any answer of it, errors included', async () => {
    const calls: string[] = [];
    expect(await h.pool.run(async (peer) => { calls.push(peer.peer.name); return peer.own; })).to.equal(true);
    const refusal = new Error('FORBIDDEN_ROLE');
    const failed = await h.pool.run(async (peer) => { calls.push(peer.peer.name); throw refusal; }).catch((error: unknown) => error);
    expect(failed).to.equal(refusal);
    expect(calls).to.deep.equal(['peer0.org1', 'peer0.org1']);
    expect(h.changes).to.deep.equal([]);
    expect(h.pool.state()).to.deep.include({ inUse: 'peer0.org1', own: true });
  });

  it('fails over within the same call when its peer is down, and stays on the next peer', async () => {
    const calls: string[] = [];
    const answer = await h.pool.run(async (peer) => {
      calls.push(peer.peer.name);
      if (peer.peer.name === 'peer0.org1') throw new DownError('UNAVAILABLE: Connection dropped');
      return peer.peer.name;
    });
    expect(answer).to.equal('peer0.org2');
    expect(await h.pool.run(async (peer) => { calls.push(peer.peer.name); return peer.peer.name; })).to.equal('peer0.org2');
    expect(calls, 'the own peer is not tried again while down').to.deep.equal(['peer0.org1', 'peer0.org2', 'peer0.org2']);
    expect(h.changes).to.have.length(1);
    expect(h.changes[0]?.change).to.deep.equal({ from: 'peer0.org1', to: 'peer0.org2', backToOwn: false, reason: 'UNAVAILABLE: Connection dropped' });
    expect(h.pool.state()).to.deep.equal({
      inUse: 'peer0.org2', own: false,
      peers: [{ name: 'peer0.org1', own: true, down: true }, { name: 'peer0.org2', own: false, down: false }, { name: 'peer0.org3', own: false, down: false }],
    });
  });

  it('returns to its own peer once its probe passes, not before', async () => {
    await h.pool.run(async (peer) => { if (peer.own) throw new DownError('down'); });
    await sleep(70);
    expect(h.probes.length, 'probed while down').to.be.greaterThan(0);
    expect(h.pool.current().peer.name).to.equal('peer0.org2');
    h.healthy.add('peer0.org1');
    await sleep(70);
    expect(h.pool.current().own).to.equal(true);
    expect(h.changes.map((c) => c.change)).to.deep.equal([
      { from: 'peer0.org1', to: 'peer0.org2', backToOwn: false, reason: 'down' },
      { from: 'peer0.org2', to: 'peer0.org1', backToOwn: true },
    ]);
    const probes = h.probes.length;
    await sleep(70);
    expect(h.probes.length, 'no probe while every peer is up').to.equal(probes);
  });

  it('tries every peer once when all are down, the own one first, and throws the last error', async () => {
    const calls: string[] = [];
    const failed = await h.pool.run(async (peer) => { calls.push(peer.peer.name); throw new DownError(`${peer.peer.name} down`); }).catch((error: unknown) => error);
    expect((failed as Error).message).to.equal('peer0.org3 down');
    expect(calls).to.deep.equal(['peer0.org1', 'peer0.org2', 'peer0.org3']);
    expect(h.pool.state().inUse, 'the own peer when none answers').to.equal('peer0.org1');
    calls.length = 0;
    await h.pool.run(async (peer) => { calls.push(peer.peer.name); throw new DownError('down'); }).catch(() => undefined);
    expect(calls, 'still each peer once').to.deep.equal(['peer0.org1', 'peer0.org2', 'peer0.org3']);
  });

  it('skips a peer whose connection cannot be made (and fails at the start for its own)', async () => {
    const unreadable = (name: string) => (peer: PeerTarget): Fake => {
      if (peer.name === name) throw new Error(`ENOENT: ${peer.tlsRootCertPath}`);
      return { name: peer.name };
    };
    const options = { isDown: (error: unknown) => error instanceof DownError, probe: async () => undefined, close: () => undefined };
    expect(() => new PeerPool<Fake>(peers, { ...options, connect: unreadable('peer0.org1') })).to.throw(/ENOENT/);
    const pool = new PeerPool<Fake>(peers, { ...options, connect: unreadable('peer0.org2'), probeIntervalMs: 60_000 });
    try {
      const calls: string[] = [];
      await pool.run(async (peer) => { calls.push(peer.peer.name); if (peer.own) throw new DownError('down'); });
      expect(calls).to.deep.equal(['peer0.org1', 'peer0.org3']);
      expect(pool.state().peers.map((p) => p.down)).to.deep.equal([true, true, false]);
    } finally {
      pool.close();
    }
  });

  it('ends a stream read through a peer when the gateway switches, and reports a stream that breaks', async () => {
    let closed = 0;
    const endless = (): CloseableStream<number> => {
      let open = true;
      const close = (): void => { open = false; closed++; };
      return {
        async *[Symbol.asyncIterator]() {
          for (let i = 0; open; i++) {
            yield i;
            await sleep(5);
          }
          throw new Error('CANCELLED');
        },
        close,
        [Symbol.dispose]: close,
      };
    };
    const own = h.pool.current();
    const stream = h.pool.watch(own, endless());
    const read: number[] = [];
    const reading = (async () => { for await (const n of stream) read.push(n); })();
    await sleep(20);
    await h.pool.run(async (peer) => { if (peer.own) throw new DownError('down'); });
    await reading; // ends without an error: the reader reopens it on the peer now in use
    expect(closed).to.equal(1);
    expect(read.length).to.be.greaterThan(0);

    const fallback = h.pool.current();
    const broken = h.pool.watch(fallback, { async *[Symbol.asyncIterator]() { yield 1; throw new DownError('UNAVAILABLE'); }, close: () => undefined, [Symbol.dispose]: () => undefined });
    const error = await (async () => { for await (const _n of broken) { /* read */ } })().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DownError);
    expect(h.pool.current().peer.name, 'the broken stream marked its peer down').to.equal('peer0.org3');
  });

  describe('what counts as down (real gRPC)', () => {
    const method = '/test.Peer/Call';
    const identity = (value: Buffer): Buffer => value;
    let server: grpc.Server;
    let port: number;
    before(async () => {
      server = new grpc.Server();
      server.register(method, (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        callback({ code: grpc.status.UNAVAILABLE, details: 'no orderers could successfully process transaction' });
      }, identity, identity, 'unary');
      port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
    });
    after(() => server.forceShutdown());

    function call(client: grpc.Client, deadlineMs = 2_000): Promise<unknown> {
      return new Promise((resolve) => {
        client.makeUnaryRequest(method, identity, identity, Buffer.alloc(0), { deadline: Date.now() + deadlineMs }, (error) => resolve(error));
      });
    }

    it('UNAVAILABLE from a peer that cannot be reached is down', async () => {
      const closed = await new Promise<number>((resolve) => {
        const probe = new grpc.Server();
        probe.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (_e, bound) => probe.tryShutdown(() => resolve(bound)));
      });
      const client = new grpc.Client(`127.0.0.1:${closed}`, grpc.credentials.createInsecure());
      const error = await call(client);
      expect(Reflect.get(error as object, 'code')).to.equal(grpc.status.UNAVAILABLE);
      expect(isPeerDown(error, client)).to.equal(true);
      client.close();
    });

    it('a call in flight when the peer dies (connections reset, new ones refused) is down', async () => {
      const dying = new grpc.Server();
      let started: () => void = () => undefined;
      const inFlight = new Promise<void>((resolve) => { started = resolve; });
      dying.register(method, () => started(), identity, identity, 'unary'); // never answers
      const dyingPort = await new Promise<number>((resolve, reject) => dying.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
      // a TCP relay in front of it stands for the peer's process: SIGKILL = reset every connection, refuse new ones
      const sockets = new Set<net.Socket>();
      const relay = net.createServer((socket) => {
        const upstream = net.connect(dyingPort, '127.0.0.1');
        sockets.add(socket).add(upstream);
        socket.pipe(upstream).pipe(socket);
        socket.on('error', () => undefined);
        upstream.on('error', () => undefined);
      });
      const relayPort = await new Promise<number>((resolve) => relay.listen(0, '127.0.0.1', () => resolve((relay.address() as net.AddressInfo).port)));
      const client = new grpc.Client(`127.0.0.1:${relayPort}`, grpc.credentials.createInsecure());
      const answer = call(client, 10_000);
      await inFlight;
      relay.close();
      for (const socket of sockets) socket.resetAndDestroy();
      dying.forceShutdown();
      const error = await answer;
      expect(Reflect.get(error as object, 'code')).to.equal(grpc.status.UNAVAILABLE);
      expect(isPeerDown(error, client)).to.equal(true);
      client.close();
    });

    it('UNAVAILABLE answered by a peer that is connected is its answer, not down', async () => {
      const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      const error = await call(client);
      expect(Reflect.get(error as object, 'code')).to.equal(grpc.status.UNAVAILABLE);
      expect(isPeerDown(error, client)).to.equal(false);
      expect(isPeerDown(new Error('a chaincode refusal'), client)).to.equal(false);
      client.close();
    });
  });
});
