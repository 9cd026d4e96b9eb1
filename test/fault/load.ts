/**
 * Steady load for the fault tests, the client's record of what was acknowledged, and the checks
 * run after every fault: every acknowledged transaction is on every peer exactly once, no other
 * item appears twice, all peers reach the same height and hold the same state for the keys the
 * load wrote.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { connectAs, eventually, networkScript, peerHeight, type Actor, type NetworkInfo } from '../helpers/network';
import { evaluate, submit } from '../helpers/ledger';
import { claimFor, protocolDraft, type World } from '../integration/world';

/** One item the load tried to write: acknowledged when it has a txId (committed VALID). */
export interface Attempt {
  /** The item's unique key on the ledger (a claim's credential hash). */
  key: string;
  startedAt: number;
  endedAt?: number;
  txId?: string;
  blockNumber?: bigint;
  error?: string;
}

/** What one load run did. */
export interface LoadRecord {
  attempts: Attempt[];
  acknowledged: Attempt[];
  failed: Attempt[];
}

/** One item to write: its ledger key, and how to send it (resolves once committed VALID). */
export interface LoadItem { key: string; run: () => Promise<{ txId: string; blockNumber: bigint }> }
export type SubmitOne = (worker: number, seq: number) => LoadItem | Promise<LoadItem>;

/** Runs `workers` clients, each submitting one item after the other (pause between), until stopped. */
export class SteadyLoad {
  readonly attempts: Attempt[] = [];
  #running = true;
  readonly #done: Promise<void[]>;

  constructor(submitOne: SubmitOne, workers = 3, pauseMs = 150) {
    this.#done = Promise.all(Array.from({ length: workers }, async (_unused, worker) => {
      for (let seq = 0; this.#running; seq++) {
        const { key, run } = await submitOne(worker, seq);
        const attempt: Attempt = { key, startedAt: Date.now() };
        this.attempts.push(attempt);
        try {
          const ack = await run();
          attempt.txId = ack.txId;
          attempt.blockNumber = ack.blockNumber;
        } catch (error) {
          attempt.error = error instanceof Error ? error.message.slice(0, 300) : String(error);
          await sleep(250);
        } finally {
          attempt.endedAt = Date.now();
        }
        await sleep(pauseMs);
      }
    }));
  }

  /** Waits until `count` more items are acknowledged after now (or throws after `timeoutMs`). */
  async acknowledged(count: number, timeoutMs = 90_000): Promise<void> {
    const since = Date.now();
    await eventually(`${count} acknowledged transactions`, timeoutMs,
      async () => this.attempts.filter((a) => a.txId !== undefined && (a.endedAt ?? 0) >= since).length >= count);
  }

  /** Stops the clients and waits for those in flight. */
  async stop(): Promise<LoadRecord> {
    this.#running = false;
    await this.#done;
    return {
      attempts: this.attempts,
      acknowledged: this.attempts.filter((a) => a.txId !== undefined),
      failed: this.attempts.filter((a) => a.txId === undefined),
    };
  }

  /** Milliseconds from `faultAt` to the first acknowledgement of an item submitted after it. */
  recoveryMs(faultAt: number): number | undefined {
    const after = this.attempts.filter((a) => a.startedAt >= faultAt && a.txId !== undefined).map((a) => a.endedAt ?? Infinity);
    return after.length === 0 ? undefined : Math.min(...after) - faultAt;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An active protocol of org 1's operator for one fault's load (its claims are counted apart). */
export async function loadProtocol(w: World, overrides: Parameters<typeof protocolDraft>[0]): Promise<{ id: string; version: number; category: string }> {
  const draft = protocolDraft(overrides);
  await submit(w.operators[0].actor, 'protocols:Register', JSON.stringify(draft));
  await submit(w.operators[0].actor, 'protocols:Activate', draft.id, '1');
  return { id: draft.id, version: 1, category: draft.category };
}

/** Claims:Submit by the submitters (User1) of the given orgs, through their own peers. */
export function claimLoad(w: World, protocol: { id: string; version: number; category: string }, orgs: number[]): SubmitOne {
  return async (worker) => {
    const draft = await claimFor(protocol);
    const submitter = w.user(orgs[worker % orgs.length] as number, 1).actor;
    return {
      key: draft.credentialHash,
      run: async () => submitAcknowledged(submitter, 'claims:Submit', [draft.args], draft.transient),
    };
  };
}

/** Endorse, order and wait for the commit status, no waiting for other peers (a fault may hold one back). */
async function submitAcknowledged(actor: Actor, fqfn: string, args: string[], transient: Record<string, string>): Promise<{ txId: string; blockNumber: bigint }> {
  const [name, fn] = fqfn.split(':') as [string, string];
  const submitted = await actor.contract(name).submitAsync(fn, { arguments: args, transientData: transient });
  // A transaction handed to a Raft leader that dies before ordering it is lost without a word:
  // only the commit-status deadline tells. 15 s (not the 60 s default) lets a client give up and
  // send a new one, as a production client would, so recovery measures the network, not the wait.
  const status = await submitted.getStatus({ deadline: Date.now() + 15_000 });
  if (!status.successful) throw new Error(`transaction ${status.transactionId} committed with code ${status.code}`);
  return { txId: status.transactionId, blockNumber: status.blockNumber };
}

interface ClaimOnLedger { id: string; credentialHash: string; txId: string }
interface Page<T> { records: T[]; bookmark: string; fetchedRecordsCount: number }

const readers = new Map<number, Actor>();
/** Org `org`'s operator, connected to its own peer (reads answer from that peer's state). */
export function reader(net: NetworkInfo, org: number): Actor {
  let actor = readers.get(org);
  if (!actor) {
    actor = connectAs(net, org, 'Admin');
    readers.set(org, actor);
  }
  return actor;
}

async function claimsOfProtocol(actor: Actor, protocol: { id: string; version: number }): Promise<ClaimOnLedger[]> {
  const all: ClaimOnLedger[] = [];
  let bookmark = '';
  for (;;) {
    const page = await evaluate<Page<ClaimOnLedger>>(actor, 'claims:List', JSON.stringify({ protocolId: protocol.id, protocolVersion: protocol.version }), '100', bookmark);
    all.push(...page.records);
    if (page.records.length < 100 || page.bookmark === '') return all;
    bookmark = page.bookmark;
  }
}

/** Waits until every peer has the same block height; returns it and the time it took. */
export async function sameHeightEverywhere(net: NetworkInfo, timeoutMs = 120_000): Promise<{ height: bigint; ms: number }> {
  let height = 0n;
  const ms = await eventually('every peer at the same block height', timeoutMs, async () => {
    const heights = await Promise.all(net.orgs.map((_o, i) => peerHeight(reader(net, i + 1), net.channel)));
    height = heights[0] as bigint;
    return heights.every((h) => h === height);
  });
  return { height, ms };
}

/**
 * The checks after a fault: same height on every peer; on every peer, each acknowledged item
 * exists exactly once, written by the acknowledged transaction; no item appears twice; every
 * item on the ledger was one the clients sent; every peer holds the same state for them.
 */
export async function verifyClaimsLoad(net: NetworkInfo, protocol: { id: string; version: number }, record: LoadRecord, label: string): Promise<void> {
  const { height, ms } = await sameHeightEverywhere(net);
  const sent = new Set(record.attempts.map((a) => a.key));
  const states: string[] = [];
  for (let org = 1; org <= net.orgs.length; org++) {
    const claims = await claimsOfProtocol(reader(net, org), protocol);
    const byHash = new Map<string, ClaimOnLedger[]>();
    for (const claim of claims) byHash.set(claim.credentialHash, [...(byHash.get(claim.credentialHash) ?? []), claim]);
    const duplicated = [...byHash.values()].filter((list) => list.length > 1);
    expect(duplicated, `${label}: duplicated items on peer of org ${org}`).to.deep.equal([]);
    const unknown = claims.filter((c) => !sent.has(c.credentialHash));
    expect(unknown, `${label}: items nobody sent on org ${org}`).to.deep.equal([]);
    const lost = record.acknowledged.filter((a) => byHash.get(a.key)?.[0]?.txId !== a.txId);
    expect(lost.map((a) => a.key), `${label}: acknowledged transactions missing (or written by another tx) on org ${org}`).to.deep.equal([]);
    states.push(JSON.stringify([...claims].sort((a, b) => a.id.localeCompare(b.id))));
  }
  expect(new Set(states).size, `${label}: peers disagree on the state of the keys the load wrote`).to.equal(1);
  const committedUnacknowledged = record.failed.filter((a) => JSON.parse(states[0] as string).some((c: ClaimOnLedger) => c.credentialHash === a.key)).length;
  console.log(`      ${label}: ${record.acknowledged.length} acknowledged, ${record.failed.length} failed at the client (${committedUnacknowledged} of them committed nonetheless), 0 lost, 0 duplicated; all ${net.orgs.length} peers at height ${height} (converged in ${ms} ms)`);
}

/** The Raft or BFT leader orderer, as its Prometheus metrics report it. */
export async function ordererLeader(net: NetworkInfo): Promise<string | undefined> {
  for (const orderer of net.orderers) {
    try {
      const text = await (await fetch(`${orderer.operations}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
      if (new RegExp(`^consensus_(etcdraft|BFT)_is_leader\\{channel="${net.channel}"\\} 1$`, 'm').test(text)) return orderer.name;
    } catch {
      continue;
    }
  }
  return undefined;
}

/** Bearer tokens of org `org`'s users on the gateway process scripts/network.sh started. */
export function gatewayTokens(net: NetworkInfo, org: number): Record<string, string> {
  return JSON.parse(readFileSync(path.join(net.home, 'gateway', `org${org}`, 'tokens.json'), 'utf8')) as Record<string, string>;
}

/** The URL of org `org`'s gateway process. */
export function gatewayUrl(net: NetworkInfo, org: number): string {
  const list = JSON.parse(readFileSync(path.join(net.home, 'gateway', 'gateways.json'), 'utf8')) as { mspId: string; url: string }[];
  const found = list.find((g) => g.mspId === net.orgs[org - 1]?.mspId);
  if (!found) throw new Error(`no gateway for org ${org}`);
  return found.url;
}

/** Injects a fault (a network.sh verb on a node) and logs it; returns when it took effect (a killed node has exited). */
export async function fault(net: NetworkInfo, verb: 'kill-node' | 'stop-node' | 'start-node', node: string): Promise<number> {
  const at = Date.now();
  await networkScript(net, verb, node).catch((error: unknown) => {
    const text = error instanceof Error ? error.message : String(error);
    throw new Error(`scripts/network.sh ${verb} ${node} failed: ${text.split('\n').filter((l) => /error|warn/i.test(l)).slice(-5).join(' | ')}`);
  });
  const done = Date.now();
  console.log(`      ${new Date(done).toISOString().slice(11, 23)} ${verb} ${node} (script took ${done - at} ms)`);
  return done;
}

/** Prints the recovery bound of a fault and asserts it stays under `boundMs`. */
export function reportRecovery(label: string, load: SteadyLoad, faultAt: number, boundMs: number): number {
  const recovery = load.recoveryMs(faultAt);
  console.log(`      ${label}: serving again ${recovery ?? 'never'} ms after the fault (bound ${boundMs} ms)`);
  expect(recovery, `${label}: no commit after the fault`).to.not.equal(undefined);
  expect(recovery as number).to.be.below(boundMs);
  return recovery as number;
}
