/**
 * `npm run bench:soak` (scripts/bench-soak.sh): the full workflow through the HTTP gateways for a
 * long time at a fixed claim rate (open loop: claim i starts at i / rate seconds, whatever the
 * earlier ones are doing), then checks that every acknowledged transaction is on every peer and
 * that the resident memory of every process of the network stayed flat. Prints a progress line
 * and samples memory every minute; at the end a table and the verdicts; writes
 * bench/results/soak-<stamp>.json and an SVG chart beside it. Exits non-zero on any error other
 * than a retried MVCC conflict, or on an acknowledged transaction a peer does not have.
 */
import { type IssuerKeyPair, type JsonObject, generateIssuerKey } from '@impact-ledger/credentials';
import { proofIdOf } from '@impact-ledger/chaincode/domain';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadNetwork, REPO_ROOT } from '../../test/helpers/network';
import {
  FLAT_GROWTH, memoryGrowth, memoryVerdict, missingOnPeer, pickRate, WINDOW_MINUTES,
  type Growth, type LedgerView, type MemoryPoint, type MemoryVerdict, type Step,
} from '../lib/soak-stats';
import { writeMemoryChart } from './chart';
import { Connections, Heights, type Actor } from './client';
import { startGateways, type HttpGateways } from './http';
import { benchCredential, buildCast, setUp, type BenchProtocol } from './setup';
import { networkProcesses, rssBytes } from '../lib/processes';
import { batchSettings, percentile } from '../lib/stats';

const HELP = `Usage: npm run bench:soak -- [options]      (scripts/bench-soak.sh; options after --)

  --minutes M            minutes of load (default 30); memory is judged over the last ${WINDOW_MINUTES}
  --rate R               claims per second, each 4 transactions (submit, 2 votes, validation);
                         default: half of the workflow peak (claims/s) of the newest
                         bench/results/*.json, else half of what a short probe through the gateways finds
  --probe                probe the peak through the gateways even when bench/results has a figure
  --probe-seconds S      length of that probe (default 60)
  --max-in-flight N      claims in flight at most; later starts wait (counted as "behind") (default 256)
  --verify-sample N      check N random claims on every peer instead of all of them
  --label TEXT           a note stored in the results
  --out DIR              where results go (default bench/results)
  --keep-network         (scripts/bench-soak.sh) leave the soak network running
  -h, --help             this help

Environment: IL_NETWORK_JSON (set by scripts/bench-soak.sh), IL_HOME (its pids/ directory names the
network's processes; default: the directory of network.json).`;

interface Options {
  minutes: number; rate?: number; probe: boolean; probeSeconds: number; maxInFlight: number; verifySample?: number; label: string; out: string;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string' }, rate: { type: 'string' }, probe: { type: 'boolean' }, 'probe-seconds': { type: 'string' }, 'max-in-flight': { type: 'string' },
      'verify-sample': { type: 'string' }, label: { type: 'string' }, out: { type: 'string' }, 'keep-network': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const positive = (name: string, text: string | undefined, integer = false): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, not '${text}'`);
    return value;
  };
  const rate = positive('rate', values.rate);
  const verifySample = positive('verify-sample', values['verify-sample'], true);
  return {
    minutes: positive('minutes', values.minutes, true) ?? 30,
    ...(rate === undefined ? {} : { rate }),
    probe: values.probe ?? false,
    probeSeconds: positive('probe-seconds', values['probe-seconds']) ?? 60,
    maxInFlight: positive('max-in-flight', values['max-in-flight'], true) ?? 256,
    ...(verifySample === undefined ? {} : { verifySample }),
    label: values.label ?? '',
    out: values.out ?? path.join(REPO_ROOT, 'bench', 'results'),
  };
}

const log = (message: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);
const hex = () => randomBytes(32).toString('hex');
const MiB = (kib: number) => kib / 1024;
const STEPS: readonly Step[] = ['submit', 'vote1', 'vote2', 'validate'];
/** Attempts of one request when the gateway answers 409 MVCC_CONFLICT (its own retries exhausted). */
const MVCC_ATTEMPTS = 5;

/**
 * Credentials signed ahead by a background producer, so that signing (eddsa-rdfc-2022, a few ms
 * of this process's CPU) is not on a claim's critical path; `starved` counts the claims that
 * found the queue empty and waited.
 */
class CredentialQueue {
  readonly #queue: JsonObject[] = [];
  #waiters: ((credential: JsonObject) => void)[] = [];
  #running = true;
  readonly signMs: number[] = [];
  starved = 0;

  constructor(private readonly issuer: IssuerKeyPair, private readonly target: number) {
    void this.#produce();
  }

  async #produce(): Promise<void> {
    while (this.#running) {
      if (this.#queue.length >= this.target && this.#waiters.length === 0) {
        await sleep(10);
        continue;
      }
      const started = performance.now();
      const credential = await benchCredential(this.issuer);
      this.signMs.push(performance.now() - started);
      const waiter = this.#waiters.shift();
      if (waiter) waiter(credential);
      else this.#queue.push(credential);
    }
  }

  take(): Promise<JsonObject> {
    const credential = this.#queue.shift();
    if (credential !== undefined) return Promise.resolve(credential);
    this.starved++;
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves once the queue holds its target (before the load starts). */
  async filled(): Promise<void> {
    while (this.#queue.length < this.target) await sleep(20);
  }

  stop(): void {
    this.#running = false;
  }
}

/** One claim of the soak: what the gateways acknowledged of it. */
interface ClaimRecord { index: number; org: number; id?: string; acked: Partial<Record<Step, { txId: string; block: number }>> }

/** Counters of one phase (the probe, or the soak), with the per-minute view of the soak. */
class Tally {
  launched = 0;
  completed = 0;
  acked = 0;
  ackedSubmissions = 0;
  /** Requests sent again (same Idempotency-Key) after a 409 MVCC_CONFLICT. */
  mvccRetries = 0;
  /** Client-signed transactions the gateways started again after an MVCC conflict (extra proposal steps). */
  signedRetries = 0;
  errors = 0;
  readonly errorSamples: string[] = [];
  readonly claimMs: number[] = [];
  readonly stepMs: Record<Step, number[]> = { submit: [], vote1: [], vote2: [], validate: [] };

  error(message: string): void {
    this.errors++;
    if (this.errorSamples.length < 20) this.errorSamples.push(`${new Date().toISOString()} ${message}`);
  }
}

interface Ack { txId: string; blockNumber: number; result: unknown }

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The `{result, txId, blockNumber}` answer of a committed mutation, or undefined. */
function ackOf(json: unknown): Ack | undefined {
  if (!isRecord(json) || typeof json.txId !== 'string' || typeof json.blockNumber !== 'number') return undefined;
  return { txId: json.txId, blockNumber: json.blockNumber, result: json.result };
}

/** `count` distinct elements of `list` drawn uniformly (a partial Fisher-Yates shuffle of a copy). */
function sample<T>(list: readonly T[], count: number): T[] {
  const copy = [...list];
  const n = Math.min(count, copy.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(Math.random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, n);
}

/** VmRSS of a process in KiB, or undefined when it is gone. */
function rssKiB(pid: number): number | undefined {
  const bytes = rssBytes(pid);
  return bytes === undefined ? undefined : bytes / 1024;
}

/** What one peer shows of a claim: proofs:Provenance once validated, else the claim and its votes. */
async function ledgerView(actor: Actor, claim: ClaimRecord & { id: string }): Promise<LedgerView> {
  const verificationTxIds = (list: unknown) => (Array.isArray(list) ? list.flatMap((v) => (isRecord(v) && typeof v.txId === 'string' ? [v.txId] : [])) : []);
  const claimFields = (c: unknown) => (isRecord(c) ? {
    ...(typeof c.txId === 'string' ? { claimTxId: c.txId } : {}), ...(typeof c.status === 'string' ? { claimStatus: c.status } : {}),
  } : {});
  if (claim.acked.validate !== undefined) {
    const provenance = await actor.evaluate<unknown>('proofs:Provenance', proofIdOf(claim.id));
    if (!isRecord(provenance)) return { verificationTxIds: [] };
    const proof = provenance.proof;
    return {
      ...claimFields(provenance.claim), verificationTxIds: verificationTxIds(provenance.verifications),
      ...(isRecord(proof) && typeof proof.issuedTxId === 'string' ? { proofTxId: proof.issuedTxId } : {}),
    };
  }
  const [found, votes] = await Promise.all([actor.evaluate<unknown>('claims:Get', claim.id), actor.evaluate<unknown>('claims:Verifications', claim.id)]);
  return { ...claimFields(found), verificationTxIds: verificationTxIds(votes) };
}

/** Runs `work` over `items` with `concurrency` in flight. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++] as T);
  }));
}

interface ProcessReport { name: string; kind: 'network' | 'gateway' | 'driver'; points: MemoryPoint[]; growth: Growth; verdict: MemoryVerdict | 'exited' }

async function main(): Promise<void> {
  const opts = options();
  const networkJson = process.env.IL_NETWORK_JSON;
  if (!networkJson) throw new Error('IL_NETWORK_JSON is not set: run the soak through scripts/bench-soak.sh (npm run bench:soak)');
  const home = process.env.IL_HOME ?? path.dirname(networkJson);
  const net = loadNetwork(networkJson);
  const orgs = net.orgs.length;
  const started = new Date();

  const connections = new Connections(net);
  const cast = await buildCast(connections, orgs);
  const heights = await Heights.start(net.orgs.map((_o, i) => connections.actor(i + 1, 'Admin')));
  const issuerKey = await generateIssuerKey();
  const protocol: BenchProtocol = await setUp(cast, heights, issuerKey.controller);
  log(`protocol ${protocol.id} active; ${orgs} orgs, consensus ${net.consensus}`);
  const gateways: HttpGateways = await startGateways(net, networkJson, path.join(REPO_ROOT, 'build', 'soak-gateways', `${Date.now()}`));
  log(`gateways: ${gateways.processes().map((p) => `${p.name} (pid ${p.pid})`).join(', ')}`);
  const commitsBefore = await gateways.submittedTransactions();

  const claims: ClaimRecord[] = [];
  const credentials = new CredentialQueue(issuerKey, 64);

  /** One mutation through org `org`'s gateway as `user`, sent again with the same key after an MVCC conflict. */
  const mutate = async (tally: Tally, step: Step, org: number, user: string, route: string, body: unknown): Promise<Ack | undefined> => {
    const idempotencyKey = randomBytes(12).toString('hex');
    const t0 = performance.now();
    for (let attempt = 1; ; attempt++) {
      const outcome = await gateways.send(org + 1, user, 'POST', route, body, { idempotencyKey });
      tally.signedRetries += Math.max(0, (outcome.proposals ?? 0) - 1);
      if (outcome.ok) {
        const ack = ackOf(outcome.json);
        if (ack === undefined) {
          tally.error(`${step} ${route}: ${outcome.status} without {txId, blockNumber}: ${JSON.stringify(outcome.json).slice(0, 200)}`);
          return undefined;
        }
        tally.acked++;
        tally.stepMs[step].push(performance.now() - t0);
        return ack;
      }
      if (outcome.code === 'MVCC_CONFLICT' && attempt < MVCC_ATTEMPTS) {
        tally.mvccRetries++;
        await sleep(100 * attempt);
        continue;
      }
      tally.error(`${step} (attempt ${attempt}): ${outcome.error}`);
      return undefined;
    }
  };

  /** Claim `index`: submit -> vote -> vote -> validation, each organisation acting once every peer has the previous block. */
  const runClaim = async (tally: Tally, index: number, scheduledAt: number): Promise<void> => {
    const org = index % orgs;
    const record: ClaimRecord = { index, org, acked: {} };
    claims.push(record);
    const credential = await credentials.take();
    const submitted = await mutate(tally, 'submit', org, 'User1', '/v1/claims',
      { protocolId: protocol.id, protocolVersion: protocol.version, credential, evidenceHashes: [hex()], proofLevel: 'computed' });
    if (submitted === undefined) return;
    const id = isRecord(submitted.result) && typeof submitted.result.id === 'string' ? submitted.result.id : undefined;
    record.acked.submit = { txId: submitted.txId, block: submitted.blockNumber };
    tally.ackedSubmissions++;
    if (id === undefined) {
      tally.error(`submit ${submitted.txId}: no claim id in the answer`);
      return;
    }
    record.id = id;
    let block = submitted.blockNumber;
    const next: [Step, number, string, string, unknown][] = [
      ['vote1', org, 'User2', `/v1/claims/${id}/verifications`, { decision: 'approve', assessedQuantity: 42000, reportHash: hex() }],
      ['vote2', (org + 1) % orgs, 'User2', `/v1/claims/${id}/verifications`, { decision: 'approve', assessedQuantity: 42000, reportHash: hex() }],
      ['validate', (org + 2) % orgs, 'User4', `/v1/claims/${id}/validation`, { quantity: 42000 }],
    ];
    for (const [step, stepOrg, user, route, body] of next) {
      await heights.everywhere(BigInt(block));
      const ack = await mutate(tally, step, stepOrg, user, route, body);
      if (ack === undefined) return;
      record.acked[step] = { txId: ack.txId, block: ack.blockNumber };
      block = ack.blockNumber;
    }
    tally.completed++;
    tally.claimMs.push(performance.now() - scheduledAt);
  };

  // The rate: --rate, else half of the newest recorded workflow peak, else half of a probe's.
  const resultsDir = path.join(REPO_ROOT, 'bench', 'results');
  const documents = existsSync(resultsDir) ? readdirSync(resultsDir).filter((f) => f.endsWith('.json') && !f.startsWith('soak-')).flatMap((f) => {
    try {
      return [{ file: path.join('bench', 'results', f), document: JSON.parse(readFileSync(path.join(resultsDir, f), 'utf8')) as unknown }];
    } catch {
      return [];
    }
  }) : [];
  let pick = opts.probe && opts.rate === undefined ? undefined : pickRate(opts.rate, documents);
  let probe: { seconds: number; claimsPerSecond: number; concurrency: number } | undefined;
  if (pick === undefined) {
    const concurrency = 16;
    await credentials.filled();
    log(`${opts.probe ? '--probe' : 'no --rate and no workflow figure in bench/results'}: probing the peak through the gateways (${opts.probeSeconds} s, ${concurrency} claims in flight)`);
    // Fresh gateways run their first credential checks slowly (V8 compiles them): the first third
    // of the probe warms up, claims completed in the rest are counted.
    const tally = new Tally();
    const t0 = performance.now();
    const stopAt = t0 + opts.probeSeconds * 1000;
    const warmUntil = t0 + (opts.probeSeconds * 1000) / 3;
    let index = 0;
    let counted = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (performance.now() < stopAt) {
        const before = tally.completed;
        await runClaim(tally, index++, performance.now());
        const at = performance.now();
        if (tally.completed > before && at >= warmUntil && at <= stopAt) counted++;
      }
    }));
    if (tally.errors > 0) throw new Error(`the probe failed: ${tally.errorSamples.join('; ')}`);
    const seconds = (stopAt - warmUntil) / 1000;
    probe = { seconds, claimsPerSecond: counted / seconds, concurrency };
    pick = { rate: probe.claimsPerSecond / 2, source: `half of a probe through the gateways (${probe.claimsPerSecond.toFixed(2)} claims/s at ${concurrency} in flight over ${seconds.toFixed(0)} s after ${(seconds / 2).toFixed(0)} s of warm-up)` };
  }
  const rate = pick.rate;
  log(`rate: ${rate.toFixed(2)} claims/s = ${(rate * 4).toFixed(1)} tx/s, from ${pick.source}`);

  // Memory: every process of the network, the gateways, and this driver (shown, not judged).
  const processes = [
    ...networkProcesses(home).map((p) => ({ name: p.name, pid: p.pid, kind: 'network' as const })),
    ...gateways.processes().map((p) => ({ ...p, kind: 'gateway' as const })),
    { name: 'soak driver', pid: process.pid, kind: 'driver' as const },
  ];
  if (processes.length <= orgs + 1) throw new Error(`no process recorded in ${path.join(home, 'pids')}: is IL_HOME the soak network's home?`);
  const series = new Map(processes.map((p) => [p.name, [] as MemoryPoint[]]));
  const exited = new Set<string>();
  const sampleMemory = (minute: number): number => {
    let total = 0;
    for (const p of processes) {
      const kib = rssKiB(p.pid);
      if (kib === undefined) {
        if (!exited.has(p.name)) log(`  process ${p.name} (pid ${p.pid}) is gone`);
        exited.add(p.name);
        continue;
      }
      series.get(p.name)?.push({ minute, kib });
      if (p.kind !== 'driver') total += kib;
    }
    return total;
  };

  // The soak: open loop, claim i starts at t0 + i / rate.
  const tally = new Tally();
  const minutes: Record<string, number>[] = [];
  const inFlight = new Set<Promise<void>>();
  let maxBehind = 0;
  let maxInFlightSeen = 0;
  const t0 = performance.now();
  const endAt = t0 + opts.minutes * 60_000;
  let nextMinute = 1;
  let previous = { acked: 0, completed: 0, claimMs: 0 };
  /** The minute's memory sample and progress line. */
  const minuteDone = (due: number) => {
    const rss = sampleMemory(nextMinute);
    const recent = tally.claimMs.slice(previous.claimMs).sort((a, b) => a - b);
    const row = {
      minute: nextMinute, launched: tally.launched, completed: tally.completed, acked: tally.acked,
      txPerSecond: (tally.acked - previous.acked) / 60, claimsPerSecond: (tally.completed - previous.completed) / 60,
      claimP50: percentile(recent, 50), claimP99: percentile(recent, 99), inFlight: inFlight.size, behind: due - tally.launched,
      mvccRetries: tally.mvccRetries, signedRetries: tally.signedRetries, errors: tally.errors, networkRssMiB: MiB(rss),
    };
    minutes.push(row);
    log(`minute ${nextMinute}/${opts.minutes}: ${row.launched} claims started, ${row.completed} done, ${row.acked} tx acknowledged `
      + `(${row.txPerSecond.toFixed(1)} tx/s, ${row.claimsPerSecond.toFixed(2)} claims/s this minute), claim p50 ${row.claimP50.toFixed(0)} ms p99 ${row.claimP99.toFixed(0)} ms, `
      + `in flight ${row.inFlight}, behind ${row.behind}, MVCC retried ${row.mvccRetries}+${row.signedRetries}, errors ${row.errors}, RSS of the network ${row.networkRssMiB.toFixed(0)} MiB`);
    previous = { acked: tally.acked, completed: tally.completed, claimMs: tally.claimMs.length };
    nextMinute++;
  };
  await credentials.filled();
  log(`soak: ${opts.minutes} min at ${rate.toFixed(2)} claims/s; memory of ${processes.length} processes sampled every minute (RSS of the network now ${MiB(sampleMemory(0)).toFixed(0)} MiB)`);
  while (performance.now() < endAt) {
    const now = performance.now();
    const due = Math.min(Math.floor(((now - t0) / 1000) * rate) + 1, Math.ceil(opts.minutes * 60 * rate));
    while (tally.launched < due && inFlight.size < opts.maxInFlight) {
      const index = tally.launched++;
      const run = runClaim(tally, index, t0 + (index * 1000) / rate).catch((error: unknown) => tally.error(`claim ${index}: ${String(error)}`));
      inFlight.add(run);
      void run.finally(() => inFlight.delete(run));
    }
    maxBehind = Math.max(maxBehind, due - tally.launched);
    maxInFlightSeen = Math.max(maxInFlightSeen, inFlight.size);
    if (now >= t0 + nextMinute * 60_000) minuteDone(due);
    await sleep(Math.max(1, Math.min(20, t0 + (tally.launched * 1000) / rate - performance.now())));
  }
  if (nextMinute <= opts.minutes) minuteDone(tally.launched);
  const loadSeconds = (performance.now() - t0) / 1000;
  log(`load stopped after ${loadSeconds.toFixed(0)} s; waiting for the ${inFlight.size} claims in flight`);
  const drained = await Promise.race([Promise.all(inFlight).then(() => true), sleep(300_000).then(() => false)]);
  if (!drained) tally.error(`${inFlight.size} claims still in flight 5 min after the load stopped`);
  credentials.stop();
  const custodialRetries = Math.max(0, (await gateways.submittedTransactions()) - commitsBefore - claims.filter((c) => c.acked.submit !== undefined).length);

  // Every acknowledged transaction on every peer.
  const acked = claims.flatMap((c) => STEPS.flatMap((s) => (c.acked[s] === undefined ? [] : [c.acked[s]])));
  const maxBlock = acked.reduce((m, a) => Math.max(m, a.block), 0);
  const allThere = await Promise.race([heights.everywhere(BigInt(maxBlock)).then(() => true), sleep(120_000).then(() => false)]);
  log(`${allThere ? 'every peer holds' : 'NOT every peer holds (after 120 s)'} block ${maxBlock}, the newest acknowledged; checking each claim on each peer`);
  const withId = claims.filter((c): c is ClaimRecord & { id: string } => c.id !== undefined);
  const checked = opts.verifySample === undefined ? withId : sample(withId, opts.verifySample);
  const readers = net.orgs.map((_o, i) => connections.actor(i + 1, 'Admin'));
  const missing: string[] = [];
  let views = 0;
  const submittedWithoutId = claims.filter((c) => c.id === undefined && c.acked.submit !== undefined).length;
  const t1 = performance.now();
  await pool(checked.flatMap((claim) => readers.map((reader, peer) => ({ claim, reader, peer }))), 8, async ({ claim, reader, peer }) => {
    const acks = Object.fromEntries(STEPS.flatMap((s) => (claim.acked[s] === undefined ? [] : [[s, claim.acked[s].txId]])));
    try {
      for (const m of missingOnPeer(acks, await ledgerView(reader, claim))) missing.push(`peer of org${peer + 1}: claim ${claim.id}: ${m}`);
    } catch (error) {
      missing.push(`peer of org${peer + 1}: claim ${claim.id}: ${String(error).slice(0, 200)}`);
    }
    views++;
  });
  const checkedTx = checked.reduce((s, c) => s + Object.keys(c.acked).length, 0);
  log(`checked ${checked.length} claims (${checkedTx} acknowledged transactions) on ${readers.length} peers: ${views} reads in ${((performance.now() - t1) / 1000).toFixed(0)} s, ${missing.length} missing`);

  await gateways.close();
  heights.close();
  connections.close();

  // Memory verdicts.
  const reports: ProcessReport[] = processes.map((p) => {
    const points = series.get(p.name) ?? [];
    const growth = memoryGrowth(points);
    return { name: p.name, kind: p.kind, points, growth, verdict: exited.has(p.name) ? 'exited' : memoryVerdict(growth) };
  });
  const judged = reports.filter((r) => r.kind !== 'driver');
  const memoryFlat = judged.every((r) => r.verdict === 'flat');
  const fullWindow = opts.minutes >= WINDOW_MINUTES;

  // The report.
  const f = (v: number, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '-');
  const sortedClaims = [...tally.claimMs].sort((a, b) => a - b);
  const hardware = {
    cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`, node: process.version, loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
  const errors = tally.errors + (allThere ? 0 : 1);
  console.log(`\nimpact-ledger soak, ${net.consensus}, ${hardware.cpus} cores (${hardware.cpuModel}), ${hardware.memoryGiB} GiB${opts.label ? `, ${opts.label}` : ''}`);
  console.log(`rate ${f(rate, 2)} claims/s (${f(rate * 4, 1)} tx/s) for ${opts.minutes} min, from ${pick.source}`);
  console.log(`claims: ${tally.launched} started, ${tally.completed} completed (${f(tally.completed / loadSeconds, 2)}/s); ${tally.acked} transactions acknowledged (${f(tally.acked / loadSeconds, 1)} tx/s)`);
  console.log(`claim latency from its scheduled start (4 tx): p50 ${f(percentile(sortedClaims, 50))} ms, p99 ${f(percentile(sortedClaims, 99))} ms, max ${f(sortedClaims.at(-1) ?? Number.NaN)} ms; `
    + `most in flight ${maxInFlightSeen}, most behind schedule ${maxBehind}`);
  for (const step of STEPS) {
    const ms = [...tally.stepMs[step]].sort((a, b) => a - b);
    console.log(`  ${step.padEnd(9)} ${String(ms.length).padStart(7)} acknowledged, request p50 ${f(percentile(ms, 50)).padStart(6)} ms, p99 ${f(percentile(ms, 99)).padStart(6)} ms`);
  }
  const signMs = [...credentials.signMs].sort((a, b) => a - b);
  console.log(`credential signing in the background: ${signMs.length} signed, p50 ${f(percentile(signMs, 50), 1)} ms; claims that waited for one: ${credentials.starved}`);
  console.log(`MVCC conflicts, all retried: ${tally.mvccRetries} requests sent again after 409 MVCC_CONFLICT, ${tally.signedRetries} client-signed and ${custodialRetries} custodial transactions retried inside the gateways`);
  console.log(`errors (other than retried MVCC): ${errors}`);
  for (const e of tally.errorSamples) console.log(`  ${e}`);
  console.log(`acknowledged transactions missing on a peer: ${missing.length} (of ${checkedTx} checked on each of ${readers.length} peers${opts.verifySample === undefined ? ', every claim' : `, a sample of ${checked.length} claims`})`);
  for (const m of missing.slice(0, 20)) console.log(`  ${m}`);
  if (submittedWithoutId > 0) console.log(`  ${submittedWithoutId} acknowledged submissions carried no claim id and could not be checked`);
  console.log(`\nresident memory (VmRSS, MiB), ${fullWindow ? `last ${WINDOW_MINUTES} minutes` : `the whole run: shorter than ${WINDOW_MINUTES} minutes, indicative only`}; `
    + `growth = a least-squares line through the window's samples, fitted end / fitted start - 1; flat below ${FLAT_GROWTH * 100}%`);
  const pad = (v: string, n: number) => v.padStart(n);
  console.log(`${'process'.padEnd(18)}${pad('start', 8)}${pad('window', 8)}${pad('end', 8)}${pad('first2', 8)}${pad('last2', 8)}${pad('growth', 9)}  verdict`);
  for (const r of reports) {
    const g = r.growth;
    console.log(`${r.name.padEnd(18)}${pad(f(MiB(r.points[0]?.kib ?? Number.NaN), 0), 8)}${pad(f(MiB(g.fittedStartKiB), 0), 8)}${pad(f(MiB(g.fittedEndKiB), 0), 8)}`
      + `${pad(f(MiB(g.firstTwoKiB), 0), 8)}${pad(f(MiB(g.lastTwoKiB), 0), 8)}${pad(`${f(g.growth * 100, 1)}%`, 9)}  ${r.verdict}${r.kind === 'driver' ? ' (not judged: holds every acknowledgement)' : ''}`);
  }
  const verdicts = {
    errors: errors === 0, everyAcknowledgedOnEveryPeer: missing.length === 0 && submittedWithoutId === 0 && allThere, memoryFlat,
  };
  console.log(`\nverdict: errors ${verdicts.errors ? 'PASS (0)' : `FAIL (${errors})`}; every acknowledged transaction on every peer ${verdicts.everyAcknowledgedOnEveryPeer ? 'PASS' : 'FAIL'}; `
    + `memory ${memoryFlat ? 'PASS (every process flat)' : `FAIL (${judged.filter((r) => r.verdict !== 'flat').map((r) => `${r.name} ${r.verdict}`).join(', ')})`}${fullWindow ? '' : ` (a ${opts.minutes}-minute run: indicative only)`}`);

  mkdirSync(opts.out, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const file = path.join(opts.out, `soak-${stamp}.json`);
  const document = {
    kind: 'soak', startedAt: started.toISOString(), finishedAt: new Date().toISOString(), consensus: net.consensus, label: opts.label, hardware,
    settings: { minutes: opts.minutes, rate, rateSource: pick.source, ...(probe === undefined ? {} : { probe }), maxInFlight: opts.maxInFlight,
      verifySample: opts.verifySample ?? null, batchTimeout: batchSettings().timeout, batchMaxMessages: batchSettings().maxMessages,
      memoryMethod: `least-squares line over the last ${WINDOW_MINUTES} minutes; growth = fitted end / fitted start - 1; flat below ${FLAT_GROWTH}` },
    totals: {
      launched: tally.launched, completed: tally.completed, acknowledged: tally.acked, loadSeconds, claimsPerSecond: tally.completed / loadSeconds,
      txPerSecond: tally.acked / loadSeconds, claimP50: percentile(sortedClaims, 50), claimP99: percentile(sortedClaims, 99),
      steps: Object.fromEntries(STEPS.map((s) => {
        const ms = [...tally.stepMs[s]].sort((a, b) => a - b);
        return [s, { acknowledged: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99) }];
      })),
      maxInFlight: maxInFlightSeen, maxBehind, mvccRetries: tally.mvccRetries, signedRetries: tally.signedRetries, custodialRetries,
      errors, errorSamples: tally.errorSamples, credentialSigningP50: percentile(signMs, 50), credentialsStarved: credentials.starved,
    },
    verification: { claimsChecked: checked.length, transactionsChecked: checkedTx, peers: readers.length, maxBlock, everyPeerAtMaxBlock: allThere, missing },
    minutes, memory: reports.map((r) => ({ name: r.name, kind: r.kind, verdict: r.verdict, growth: r.growth, samples: r.points })), verdicts,
  };
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
  const chart = await writeMemoryChart(reports.map((r) => ({ process: r.name, points: r.points })), minutes.map((m) => ({ minute: m.minute ?? 0, txPerSecond: m.txPerSecond ?? 0 })),
    file.replace(/\.json$/, '.svg'), `${f(rate * 4, 1)} tx/s for ${opts.minutes} min`);
  console.log(`chart:   ${path.relative(process.cwd(), chart)}`);
  process.exitCode = verdicts.errors && verdicts.everyAcknowledgedOnEveryPeer ? 0 : 1;
}

main().then(() => process.exit(process.exitCode ?? 0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
