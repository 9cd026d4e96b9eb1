/**
 * `npm run bench`: drives a running impact-ledger network (IL_NETWORK_JSON, brought up by
 * scripts/bench.sh with the bench contract) with bounded, self-stopping load from this process
 * (loopback only), prints a table and the ratios that matter, writes bench/results/<stamp>.json
 * and a chart beside it.
 */
import { generateIssuerKey, type JsonObject } from '@impact-ledger/credentials';
import { seededProofId } from '@impact-ledger/chaincode/domain';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadNetwork, REPO_ROOT } from '../../test/helpers/network';
import { writeChart } from './chart';
import { Connections, Heights, type Actor } from './client';
import { benchCredential, buildCast, claimDraft, setUp } from './setup';
import { startGateways, type HttpGateways } from './http';
import { cpuPerUnit, diskUse, formatProfile, networkProcesses, sampleCpu } from '../lib/processes';
import { batchSettings, durationMs, meets, runLoad, runRate, type Outcome, type StageResult } from '../lib/stats';

const STAGES = ['trivial', 'submit', 'verify', 'validate', 'workflow', 'http', 'reads'] as const;
type Stage = (typeof STAGES)[number];

const HELP = `Usage: npm run bench -- [options]      (scripts/bench.sh; options after --)

  --quick                 short run: 5 s per level, ledgers of 1k and 10k proofs
  --duration S            seconds of load per stage and concurrency level (default 15; quick 5)
  --concurrency LIST      in-flight levels every stage is swept over (default 1,8,32,128)
  --extend N              then double the last level while the stage still grows by 10%, at most
                          N times (default 1: 256 where 128 still grew)
  --stage-concurrency N   in-flight requests of the HTTP-vs-direct comparison (default 32)
  --stages LIST           subset of ${STAGES.join(',')} (default: all)
  --ledger-sizes LIST     proofs on the ledger for the read stage (default 1000,100000; quick 1000,10000)
  --large                 add a ledger of 1,000,000 proofs to the read stage
  --seed-per-tx N         synthetic proofs per seeding transaction (default 1000, at most 1000)
  --seed-concurrency N    seeding transactions in flight, spread over the orgs (default 6)
  --seed-minutes M        stop seeding after M minutes (all sizes together) and measure the reads
                          on the ledger reached (e.g. --large --seed-minutes 30)
  --seeded PROTOCOL:N     no seeding: measure the reads (then compact and measure again) on the
                          proofs 0..N-1 an earlier run seeded for PROTOCOL on this network (kept
                          with --keep-network; the run logs "protocol <id> active"); assumes no
                          other proofs in pillar B, gCO2e
  --http-credentials N    signed credentials prepared for the HTTP stage (default 600; quick 200)
  --no-reuse              one gRPC connection per identity instead of one per peer (tuning)
  --profile-gateways DIR  the http stage's gateways write V8 CPU profiles (--cpu-prof) into DIR
                          when they stop (summarise one: node build/bench/src/cpu-profile.js FILE)
  --label TEXT            a note stored in the results (e.g. the orderer batch settings)
  --out DIR               where results go (default bench/results)
  --keep-network          (scripts/bench.sh) leave the bench network running
  -h, --help              this help

Environment: IL_NETWORK_JSON (set by scripts/bench.sh), IL_BATCH_TIMEOUT / IL_BATCH_MAX_MESSAGES
(read by scripts/bench.sh when it creates the network).`;

interface Options {
  durationMs: number; sweep: number[]; extend: number; stageConcurrency: number; stages: Set<Stage>; ledgerSizes: number[];
  httpCredentials: number; reuse: boolean; profileGateways: string | undefined; seeded: { protocolId: string; count: number } | undefined; seedPerTx: number; seedConcurrency: number; seedMinutes: number | undefined; label: string; out: string; quick: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' }, duration: { type: 'string' }, concurrency: { type: 'string' }, extend: { type: 'string' }, 'stage-concurrency': { type: 'string' },
      stages: { type: 'string' }, 'ledger-sizes': { type: 'string' }, large: { type: 'boolean' }, 'http-credentials': { type: 'string' }, 'seed-per-tx': { type: 'string' }, 'seed-concurrency': { type: 'string' }, 'seed-minutes': { type: 'string' }, seeded: { type: 'string' },
      'no-reuse': { type: 'boolean' }, 'profile-gateways': { type: 'string' }, label: { type: 'string' }, out: { type: 'string' }, 'keep-network': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const list = (text: string) => text.split(',').map((v) => Number(v.trim())).filter((v) => Number.isInteger(v) && v > 0);
  const stages = new Set((values.stages ?? STAGES.join(',')).split(',').map((s) => s.trim()) as Stage[]);
  for (const s of stages) if (!STAGES.includes(s)) throw new Error(`unknown stage ${s} (${STAGES.join(', ')})`);
  const ledgerSizes = list(values['ledger-sizes'] ?? (quick ? '1000,10000' : '1000,100000'));
  if (values.large) ledgerSizes.push(1_000_000);
  return {
    quick,
    durationMs: Number(values.duration ?? (quick ? 5 : 15)) * 1000,
    sweep: list(values.concurrency ?? '1,8,32,128'),
    extend: Number(values.extend ?? 1),
    stageConcurrency: Number(values['stage-concurrency'] ?? 32),
    stages,
    ledgerSizes: [...new Set(ledgerSizes)].sort((a, b) => a - b),
    httpCredentials: Number(values['http-credentials'] ?? (quick ? 200 : 600)),
    reuse: !values['no-reuse'],
    seeded: seededOption(values.seeded),
    profileGateways: values['profile-gateways'] === undefined ? undefined : path.resolve(values['profile-gateways']),
    seedPerTx: Math.min(1000, Number(values['seed-per-tx'] ?? 1000)),
    seedConcurrency: Number(values['seed-concurrency'] ?? 6),
    seedMinutes: values['seed-minutes'] === undefined ? undefined : Number(values['seed-minutes']),
    label: values.label ?? '',
    out: values.out ?? path.join(REPO_ROOT, 'bench', 'results'),
  };
}

/** `--seeded PROTOCOL:N`: the protocol an earlier run seeded and how many proofs it holds. */
function seededOption(value: string | undefined): { protocolId: string; count: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^([a-z0-9-]+):([1-9][0-9]*)$/.exec(value);
  if (match === null) throw new Error(`--seeded needs PROTOCOL:N (e.g. bench-commute-4be57f10:800000), not '${value}'`);
  return { protocolId: match[1] as string, count: Number(match[2]) };
}

const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
const hex = () => randomBytes(32).toString('hex');
const UNLIMITED = Number.MAX_SAFE_INTEGER;

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;

/** A claim on its way through the workflow: its id and the block of its last transaction. */
interface Tracked { id: string; block: bigint; org: number }

async function main(): Promise<void> {
  const opts = options();
  const networkJson = process.env.IL_NETWORK_JSON;
  if (!networkJson) throw new Error('IL_NETWORK_JSON is not set: run the benchmark through scripts/bench.sh (npm run bench)');
  const net = loadNetwork(networkJson);
  const started = new Date();
  const results: StageResult[] = [];
  const reads: Record<string, unknown>[] = [];
  const notes: string[] = [];
  const record = (r: StageResult & { errors?: string[] }) => {
    const { errors, ...rest } = r as StageResult & { errors?: string[]; units?: number };
    delete (rest as { units?: number }).units;
    results.push(rest);
    log(`${r.stage} [${r.path}${r.extra?.leg === undefined ? '' : `, ${r.extra.leg}`}] c=${r.concurrency}: ${r.committed} ok in ${r.seconds.toFixed(1)} s = ${r.tps.toFixed(1)}/s, p50 ${r.p50.toFixed(0)} ms p99 ${r.p99.toFixed(0)} ms, mvcc ${r.mvccConflicts}, failed ${r.failed}${r.cpu ? `; ${formatProfile(r.cpu)}` : ''}`);
    for (const e of errors ?? []) log(`  error: ${e}`);
  };

  const connections = new Connections(net, opts.reuse);
  const cast = await buildCast(connections, net.orgs.length);
  const heights = await Heights.start(net.orgs.map((_o, i) => connections.actor(i + 1, 'Admin')));
  const issuerKey = await generateIssuerKey();
  const protocol = await setUp(cast, heights, issuerKey.controller);
  log(`protocol ${protocol.id} active; ${net.orgs.length} orgs, consensus ${net.consensus}`);
  const base = { durationMs: opts.durationMs };
  let lastBlock = 0n;
  const track = (o: { blockNumber?: bigint }) => {
    if (o.blockNumber !== undefined && o.blockNumber > lastBlock) lastBlock = o.blockNumber;
  };

  // Where a stage's CPU goes: every network process's CPU time (and this process's) around it.
  const processes = [...networkProcesses(path.dirname(networkJson)), { name: 'bench', kind: 'client' as const, pid: process.pid }];
  const profiled = async <T extends StageResult>(run: () => Promise<T>): Promise<T> => {
    const before = sampleCpu(processes);
    const result = await run();
    return { ...result, cpu: cpuPerUnit(before, sampleCpu(processes), result.committed) };
  };
  /**
   * Every level of the sweep, then twice the last level while the stage still grows by 10% over
   * the level before (at most `--extend` times): each stage finds its own peak. CPU-profiled.
   */
  const sweep = async (run: (c: number) => Promise<StageResult & { errors?: string[] }>, prepare?: (c: number) => Promise<void>): Promise<StageResult[]> => {
    const levels: StageResult[] = [];
    const level = async (c: number) => {
      await prepare?.(c);
      const r = await profiled(() => run(c));
      record(r);
      levels.push(r);
    };
    for (const c of opts.sweep) await level(c);
    for (let extra = 0; extra < opts.extend; extra++) {
      const [previous, last] = levels.slice(-2);
      if (!previous || !last || last.tps < previous.tps * 1.1) break;
      await level(last.concurrency * 2);
    }
    return levels;
  };
  const peak = (levels: readonly StageResult[]) => levels.reduce<StageResult | undefined>((b, r) => (!b || r.tps > b.tps ? r : b), undefined);
  const halfPeak = async (stage: string, levels: readonly StageResult[], unit: (i: number) => Promise<Outcome | Outcome[]>) => {
    const top = peak(levels);
    if (!top || top.tps <= 0) return;
    record(await profiled(() => runRate({ ...base, stage: `${stage} @half peak`, path: 'direct', ratePerSecond: top.tps / 2, unit })));
  };
  const trivialAt = new Map<number, number>();

  // 1. trivial: bench:Put, one key per transaction, by the three operators in turn.
  const trivialUnit = (run: string) => async (i: number) => pick(cast.admins, i).submit('bench:Put', `${run}-${i}`, 'x'.repeat(64));
  if (opts.stages.has('trivial')) {
    const levels = await sweep((c) => runLoad({ ...base, stage: 'trivial', path: 'direct', concurrency: c, maxUnits: UNLIMITED, unit: trivialUnit(randomBytes(4).toString('hex')) }));
    for (const r of levels) trivialAt.set(r.concurrency, r.tps);
    await halfPeak('trivial', levels, trivialUnit(randomBytes(4).toString('hex')));
  }

  // The claims each stage works on, at the state it needs them in, topped up (untimed, at full
  // load) before each level to what the level can use: the trivial stage's rate at that level
  // (the ceiling of any stage) for the level's duration, with a margin.
  const pools = { submitted: [] as Tracked[], firstVoted: [] as Tracked[], verified: [] as Tracked[] };
  const submitOne = async (org: number): Promise<Outcome & { blockNumber?: bigint }> => {
    const draft = await claimDraft(protocol, issuerKey);
    const outcome = await (cast.submitters[org] as Actor).submitWith('claims:Submit', [draft.args], draft.transient);
    if (outcome.ok) pools.submitted.push({ id: (outcome.result as { id: string }).id, block: outcome.blockNumber ?? 0n, org });
    track(outcome);
    return outcome;
  };
  const vote = async (claim: Tracked, round: number, into: Tracked[]) => {
    const outcome = await pick(cast.verifiers, claim.org + round).submit('claims:Verify', claim.id, 'approve', '42000', hex());
    if (outcome.ok) into.push({ ...claim, block: outcome.blockNumber ?? 0n });
    track(outcome);
    return outcome;
  };
  const validate = async (claim: Tracked) => {
    const outcome = await pick(cast.validators, claim.org + 2).submit('claims:Validate', claim.id, '42000');
    track(outcome);
    return outcome;
  };
  // Without a trivial stage: c transactions every half second (the batch timeout), at most 150/s.
  const needed = (c: number) => Math.ceil((trivialAt.get(c) ?? Math.min(150, c * 2)) * (opts.durationMs / 1000) * 1.2) + c;
  const untimed = async (stage: string, count: number, unit: (i: number) => Promise<Outcome>) => {
    const r = await runLoad({ durationMs: UNLIMITED, stage, path: 'direct', concurrency: Math.min(128, count), maxUnits: count, unit });
    if (r.failed > 0) throw new Error(`${stage} failed: ${JSON.stringify(r.errors)}`);
    await heights.everywhere(lastBlock);
  };
  /** Fills `pool` up to `count` claims, through the real transactions of the earlier states. */
  const fill = async (pool: keyof typeof pools, count: number): Promise<void> => {
    const missing = count - pools[pool].length;
    if (missing <= 0) return;
    const t0 = performance.now();
    if (pool === 'submitted') {
      await untimed('fill: submit', missing, (i) => submitOne(i % cast.submitters.length));
    } else {
      const from = pool === 'firstVoted' ? 'submitted' : 'firstVoted';
      await fill(from, missing);
      const claims = pools[from].splice(0, missing);
      await untimed(`fill: vote ${pool === 'firstVoted' ? 1 : 2}`, claims.length, (i) => vote(claims[i] as Tracked, pool === 'firstVoted' ? 0 : 1, pools[pool]));
    }
    log(`  (untimed) ${missing} claims brought to ${pool} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  };
  /** A stage that moves claims from one pool to the next, swept (each level's claims filled first). */
  const poolSweep = (stage: string, from: keyof typeof pools, act: (claim: Tracked) => Promise<Outcome>) => sweep(async (c) => {
    const claims = pools[from].splice(0);
    const r = await runLoad({ ...base, stage, path: 'direct', concurrency: c, maxUnits: claims.length, unit: (i) => act(claims[i] as Tracked) });
    pools[from].push(...claims.slice(r.units));
    if (r.units >= claims.length) log(`  ${stage} c=${c} ran out of claims after ${r.seconds.toFixed(1)} s (raise the margin)`);
    return r;
  }, async (c) => {
    await fill(from, needed(c));
    await heights.everywhere(lastBlock);
  });

  // 2. claim submission (distinct claims, credential verified by every endorsing peer), through
  //    each org's submitter in turn.
  const submitLevel = (c: number, maxUnits: number) => runLoad({ ...base, stage: 'submit', path: 'direct', concurrency: c, maxUnits, unit: (i) => submitOne(i % cast.submitters.length) });
  if (opts.stages.has('submit')) {
    const levels = await sweep((c) => submitLevel(c, UNLIMITED));
    await halfPeak('submit', levels, (i) => submitOne(i % cast.submitters.length));
  }

  // 3. verification: the first vote on submitted claims, then the quorum-closing vote.
  if (opts.stages.has('verify')) {
    await poolSweep('verify (1st vote)', 'submitted', (claim) => vote(claim, 0, pools.firstVoted));
    await poolSweep('verify (quorum)', 'firstVoted', (claim) => vote(claim, 1, pools.verified));
  }

  // 4. validation (proof issuance) of verified claims.
  if (opts.stages.has('validate')) await poolSweep('validate', 'verified', validate);

  // 5. full workflow: each in-flight claim goes submit -> 2 votes -> validation, waiting for every
  //    peer to have each block before the next organisation acts on it.
  if (opts.stages.has('workflow')) {
    await sweep(async (c) => {
      let claimsDone = 0;
      const result = await runLoad({ ...base, durationMs: opts.durationMs * 2, stage: 'workflow', path: 'direct', concurrency: c, maxUnits: UNLIMITED,
        unit: async (i) => {
          const org = i % cast.submitters.length;
          const outcomes: Outcome[] = [];
          const steps: [Actor, string, string[]][] = [
            [pick(cast.verifiers, org), 'claims:Verify', ['approve', '42000']],
            [pick(cast.verifiers, org + 1), 'claims:Verify', ['approve', '42000']],
            [pick(cast.validators, org + 2), 'claims:Validate', ['42000']],
          ];
          const draft = await claimDraft(protocol, issuerKey);
          const first = await (cast.submitters[org] as Actor).submitWith('claims:Submit', [draft.args], draft.transient);
          outcomes.push(first);
          if (!first.ok) return outcomes;
          const claimId = (first.result as { id: string }).id;
          let block = first.blockNumber ?? 0n;
          for (const [actor, fqfn, args] of steps) {
            await heights.everywhere(block);
            const outcome = await actor.submit(fqfn, claimId, ...(fqfn === 'claims:Verify' ? [...args, hex()] : args));
            outcomes.push(outcome);
            if (!outcome.ok) return outcomes;
            block = outcome.blockNumber ?? 0n;
          }
          track({ blockNumber: block });
          claimsDone++;
          return outcomes;
        } });
      return { ...result, extra: { claimsPerSecond: Number((claimsDone / result.seconds).toFixed(2)), claimsCompleted: claimsDone, txPerClaim: 4 } };
    });
  }

  // 6. HTTP gateway vs the fabric-gateway client directly, same concurrency, same kind of work.
  let gateways: HttpGateways | undefined;
  if (opts.stages.has('http')) {
    const c = opts.stageConcurrency;
    log(`signing ${opts.httpCredentials} distinct credentials (eddsa-rdfc-2022) before timing`);
    const credentials: JsonObject[] = [];
    for (let i = 0; i < opts.httpCredentials; i++) credentials.push(await benchCredential(issuerKey));
    gateways = await startGateways(net, networkJson, path.join(REPO_ROOT, 'build', 'bench-gateways', `${Date.now()}`), { cpuProfileDir: opts.profileGateways });
    processes.push(...gateways.processes().map((p) => ({ ...p, kind: 'gateway' as const })));
    const threadsNote = `credential precheck: ${gateways.precheck}; credential check threads per gateway: ${gateways.checkThreads}${gateways.checkThreads === 0 ? ' (on the event loop)' : ''}`;
    // Untimed warm-up: fresh gateway processes (and their worker threads) run their first checks
    // several times slower while V8 compiles them; a long-running gateway has long done that. So
    // do the chaincode processes when only this stage runs: claim submissions through the
    // gateways warm both (the timed HTTP submissions come first and would pay for it alone).
    // ~100 per check thread and organisation (V8 settles after a few dozen), credentials of their own.
    const warmUp = 100 * Math.max(1, gateways.checkThreads) * net.orgs.length;
    const warmCredentials: JsonObject[] = [];
    for (let i = 0; i < warmUp; i++) warmCredentials.push(await benchCredential(issuerKey));
    const warm = await runLoad({ durationMs: UNLIMITED, stage: 'warm-up', path: 'http', concurrency: 8, maxUnits: warmUp,
      unit: (i) => (gateways as HttpGateways).send((i % net.orgs.length) + 1, 'User1', 'POST', '/v1/claims',
        { protocolId: protocol.id, protocolVersion: protocol.version, credential: warmCredentials[i], evidenceHashes: [hex()], proofLevel: 'computed' }) });
    if (warm.failed > 0) throw new Error(`HTTP warm-up failed: ${JSON.stringify(warm.errors)}`);
    log(`warm-up: ${warm.committed} untimed claim submissions through the gateways (${warm.tps.toFixed(0)}/s)`);
    const PHASES = { 'credential check': 'il_credential_check_seconds', 'endorse + submit': 'il_fabric_submit_seconds', 'commit wait': 'il_fabric_commit_seconds' } as const;
    const phases = async () => Object.fromEntries(await Promise.all(Object.entries(PHASES).map(async ([label, metric]) => [label, await (gateways as HttpGateways).histogram(metric)] as const)));
    // Direct legs before and after each HTTP leg, at the same concurrency: the ratio takes their
    // mean, so whatever drifts over the stage (a host warming up or slowing down) weighs on both
    // paths alike (the HTTP leg alone first measured ~20% more chaincode CPU per transaction).
    const directLeg = async (leg: string, run: () => Promise<StageResult>): Promise<void> => {
      const result = await profiled(run);
      record({ ...result, extra: { ...result.extra, leg } });
    };
    await directLeg('before http', () => submitLevel(c, credentials.length));
    const phasesBefore = await phases();
    const before = await gateways.submittedTransactions();
    const httpClaims: Tracked[] = [];
    const http = await profiled(() => runLoad({ ...base, stage: 'submit', path: 'http', concurrency: c, maxUnits: credentials.length,
      unit: async (i) => {
        const org = i % net.orgs.length;
        const outcome = await (gateways as HttpGateways).send(org + 1, 'User1', 'POST', '/v1/claims', {
          protocolId: protocol.id, protocolVersion: protocol.version, credential: credentials[i], evidenceHashes: [hex()], proofLevel: 'computed' });
        if (outcome.ok) {
          const body = outcome.json as { result: { id: string }; blockNumber: number };
          httpClaims.push({ id: body.result.id, block: BigInt(body.blockNumber), org });
        }
        return outcome;
      } }));
    const retries = (await gateways.submittedTransactions()) - before - http.committed;
    record({ ...http, mvccConflicts: Math.max(0, retries) });
    // Where an HTTP submission's time goes, from the gateways' own histograms (means over the stage).
    const phasesAfter = await phases();
    const profile = Object.entries(phasesAfter).map(([label, after]) => {
      const b = phasesBefore[label] ?? { count: 0, sum: 0 };
      const count = after.count - b.count;
      return `${label} ${count > 0 ? (((after.sum - b.sum) / count) * 1000).toFixed(1) : '-'} ms`;
    }).join(', ');
    log(`  HTTP submission, mean per request inside the gateways: ${profile} (of ${http.mean.toFixed(0)} ms end to end); ${threadsNote}`);
    notes.push(`HTTP claim submission, gateway means: ${profile}; end to end ${http.mean.toFixed(0)} ms; ${threadsNote}`);
    await directLeg('after http', () => submitLevel(c, Math.max(http.units, 1)));
    // Verification votes (no credential check on either path): HTTP vs direct, bracketed the same way.
    await heights.everywhere(lastBlock);
    for (const claim of httpClaims) await heights.everywhere(claim.block);
    const directClaims = pools.submitted.splice(0);
    const directVotes = (claims: Tracked[]) => runLoad({ ...base, stage: 'verify (1st vote)', path: 'direct', concurrency: c, maxUnits: Math.min(claims.length, Math.max(httpClaims.length, 1)),
      unit: async (i) => {
        const claim = claims[i] as Tracked;
        return pick(cast.verifiers, claim.org).submit('claims:Verify', claim.id, 'approve', '42000', hex());
      } });
    const split = Math.floor(directClaims.length / 2);
    await directLeg('before http', () => directVotes(directClaims.slice(0, split)));
    const before2 = await gateways.submittedTransactions();
    const httpVotes = await profiled(() => runLoad({ ...base, stage: 'verify (1st vote)', path: 'http', concurrency: c, maxUnits: httpClaims.length,
      unit: async (i) => {
        const claim = httpClaims[i] as Tracked;
        return (gateways as HttpGateways).send(((claim.org) % net.orgs.length) + 1, 'User2', 'POST', `/v1/claims/${claim.id}/verifications`,
          { decision: 'approve', assessedQuantity: 42000, reportHash: hex() });
      } }));
    record({ ...httpVotes, mvccConflicts: Math.max(0, (await gateways.submittedTransactions()) - before2 - httpVotes.committed) });
    await directLeg('after http', () => directVotes(directClaims.slice(split)));
  }

  // 7. provenance and totals reads on ledgers of growing size (bulk-seeded synthetic proofs).
  if (opts.stages.has('reads')) {
    let seeded = 0;
    const seedProtocol = opts.seeded?.protocolId ?? protocol.id;
    const PER_TX = opts.seedPerTx;
    const admin = cast.admins[0] as Actor;
    const totalsFilter = JSON.stringify({ pillar: 'B', unit: 'gCO2e' });
    // What Totals must answer once `seeded` proofs of 1000 units are added (checks truncation).
    const issued = async () => ((await admin.evaluate<{ totals: { issued: number }[] }>('proofs:Totals', totalsFilter)).totals[0]?.issued ?? 0);
    const issuedBefore = opts.seeded === undefined ? await issued() : 0;
    const measureReads = async (size: number, compacted: boolean) => {
      const provenance = await runLoad({ durationMs: Math.min(opts.durationMs, 10_000), stage: `provenance @${size}`, path: 'direct', concurrency: 8, maxUnits: 2000,
        unit: async (i) => {
          const n = Math.floor(Math.random() * seeded);
          const proofId = seededProofId(seedProtocol, 1, n);
          return pick(cast.submitters, i).timedEvaluate('proofs:Provenance', proofId);
        } });
      record(provenance);
      const totals = await runLoad({ durationMs: Math.min(opts.durationMs, 10_000), stage: `totals @${size}${compacted ? ' compacted' : ''}`, path: 'direct', concurrency: 2, maxUnits: 200,
        unit: (i) => pick(cast.submitters, i).timedEvaluate('proofs:Totals', totalsFilter) });
      record(totals);
      const answered = await issued();
      const expected = issuedBefore + size * 1000;
      if (answered !== expected) {
        log(`  Totals answered issued=${answered}, expected ${expected}: the prefix read was truncated (peer ledger.state.totalQueryLimit)`);
        notes.push(`Totals at ${size} proofs${compacted ? ' (compacted)' : ''} answered issued=${answered} instead of ${expected}: the range read stops at the peer's totalQueryLimit (100000 by default)`);
      }
      const disk = diskUse(networkJson);
      const mib = (b: number | undefined) => (b === undefined ? '-' : `${(b / 2 ** 20).toFixed(0)} MiB`);
      log(`  disk at ${size} proofs: ${disk.map((d) => `${d.node} ${mib(d.totalBytes)}${d.stateDbBytes === undefined ? '' : ` (state DB ${mib(d.stateDbBytes)})`}`).join(', ')}`);
      reads.push({ proofs: size, compacted, disk, totalsExact: answered === expected, provenanceP50: provenance.p50, provenanceP99: provenance.p99, totalsP50: totals.p50, totalsP99: totals.p99, totalsFailed: totals.failed });
    };
    // --seed-minutes: the seeding of every ledger size together stops issuing when it is spent,
    // and the reads are measured on the ledger reached.
    const seedDeadline = opts.seedMinutes === undefined ? UNLIMITED : performance.now() + opts.seedMinutes * 60_000;
    if (opts.seeded !== undefined) {
      seeded = opts.seeded.count;
      log(`reads on the ${seeded} proofs seeded earlier for ${seedProtocol} (--seeded)`);
      notes.push(`reads measured on ${seeded} proofs of ${seedProtocol} seeded by an earlier run on this network (--seeded)`);
      await measureReads(seeded, false);
    }
    for (const target of opts.seeded === undefined ? opts.ledgerSizes : []) {
      const t0 = performance.now();
      const batches: number[] = [];
      for (let start = seeded; start < target; start += PER_TX) batches.push(start);
      const size = target;
      const seeding = await profiled(() => runLoad({ durationMs: Math.max(0, seedDeadline - performance.now()), stage: `seed to ${size}`, path: 'direct', concurrency: opts.seedConcurrency, maxUnits: batches.length,
        unit: async (i) => {
          const start = batches[i] as number;
          const outcome = await pick(cast.admins, i).submit('bench:SeedProofs', seedProtocol, '1', String(start), String(Math.min(PER_TX, size - start)));
          track(outcome);
          return outcome;
        },
        onProgress: (done) => {
          if (done % 20 !== 0) return;
          const rate = (done * PER_TX) / ((performance.now() - t0) / 1000);
          log(`  seeding: ${done}/${batches.length} transactions, ${rate.toFixed(0)} proofs/s, ${((batches.length - done) * PER_TX / rate / 60).toFixed(1)} min left`);
        } }));
      if (seeding.failed > 0) throw new Error(`seeding failed: ${JSON.stringify(seeding.errors)}`);
      // Batches are issued in order and every issued one committed: the ledger holds 0..reached-1.
      const reached = seeding.units >= batches.length ? target : (batches[seeding.units] as number);
      const written = reached - seeded;
      seeded = reached;
      await heights.everywhere(lastBlock);
      const seconds = (performance.now() - t0) / 1000;
      log(`ledger seeded to ${reached} proofs (${seeding.committed} tx, ${seconds.toFixed(0)} s, ${(written / seconds).toFixed(0)} proofs/s; ${formatProfile(seeding.cpu ?? {}).replace('/tx', ' per seeding tx')})`);
      notes.push(`seeding to ${reached} proofs: ${seeding.committed} transactions of up to ${PER_TX} proofs, ${seconds.toFixed(1)} s, ${(written / seconds).toFixed(0)} proofs/s; CPU per seeding transaction: ${formatProfile(seeding.cpu ?? {})}`);
      if (reached < target) {
        const projected = (target * seconds) / Math.max(1, written) / 60;
        log(`  --seed-minutes ${opts.seedMinutes} spent at ${reached} of ${target} proofs (at this rate ${target} would take ~${projected.toFixed(0)} min of seeding)`);
        notes.push(`the seeding budget (--seed-minutes ${opts.seedMinutes}) was spent at ${reached} of ${target} proofs; at the rate measured, ${target} would take about ${projected.toFixed(0)} minutes`);
      }
      await measureReads(reached, false);
      if (reached < target) break;
    }
    // Compaction folds the per-issuance totals entries into one snapshot per protocol version.
    // Bounded per transaction (5000 deltas at most): run until nothing is left.
    const t0 = performance.now();
    let compaction = await admin.submit('proofs:CompactTotals', 'B', 'gCO2e', '5000');
    let rounds = 1;
    while (compaction.ok && (compaction.result as { more?: boolean } | undefined)?.more === true) {
      compaction = await admin.submit('proofs:CompactTotals', 'B', 'gCO2e', '5000');
      rounds += 1;
    }
    if (compaction.ok) {
      log(`  compaction: ${rounds} transactions of up to 5000 entries`);
      await heights.everywhere(compaction.blockNumber ?? 0n);
      const seconds = (performance.now() - t0) / 1000;
      log(`CompactTotals over ${seeded}+ entries: ${seconds.toFixed(1)} s`);
      notes.push(`CompactTotals (pillar B, gCO2e) after seeding ${seeded} proofs: ${seconds.toFixed(1)} s`);
      await measureReads(seeded, true);
    } else {
      log(`CompactTotals failed: ${compaction.error}`);
      notes.push(`CompactTotals failed after seeding ${seeded} proofs: ${compaction.error}`);
    }
  }

  await gateways?.close();
  heights.close();
  connections.close();
  await report(opts, net.consensus, started, results, reads, notes);
}

function ratio(a: number | undefined, b: number | undefined): number | null {
  return a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : a / b;
}

async function report(opts: Options, consensus: string, started: Date, results: StageResult[], reads: Record<string, unknown>[], notes: string[]): Promise<void> {
  const find = (stage: string, pathName: 'direct' | 'http', c?: number) =>
    results.filter((r) => r.stage === stage && r.path === pathName && (c === undefined || r.concurrency === c)).at(-1);
  const peakOf = (stage: string) => results.filter((r) => r.stage === stage && r.path === 'direct').reduce<StageResult | undefined>((b, r) => (!b || r.tps > b.tps ? r : b), undefined);
  const trivialPeak = peakOf('trivial');
  const workflowPeak = peakOf('workflow');
  const submitPeak = peakOf('submit');
  const wfSame = workflowPeak ? find('trivial', 'direct', workflowPeak.concurrency) : undefined;
  // The direct legs around an HTTP leg (their mean tx/s), else the last direct result at its concurrency.
  const directAround = (http: StageResult | undefined): { tps: number } | undefined => {
    if (http === undefined) return undefined;
    const legs = results.filter((r) => r.stage === http.stage && r.path === 'direct' && r.concurrency === http.concurrency && r.extra?.leg !== undefined);
    return legs.length > 0 ? { tps: legs.reduce((sum, r) => sum + r.tps, 0) / legs.length } : find(http.stage, 'direct', http.concurrency);
  };
  const httpSubmit = find('submit', 'http');
  const directSubmit = directAround(httpSubmit);
  const httpVote = find('verify (1st vote)', 'http');
  const directVote = directAround(httpVote);
  const batchTimeoutMs = durationMs(batchSettings().timeout);
  const half = (stage: string) => results.find((r) => r.stage === `${stage} @half peak`);
  // The smallest ledger, when the run measured more than one size (not with --seeded).
  const uncompacted = reads.filter((r) => !r.compacted);
  const small = (uncompacted.length > 1 ? uncompacted[0] : undefined) as { proofs: number; provenanceP50: number; totalsP50: number } | undefined;
  const largeRaw = uncompacted.at(-1) as typeof small;
  const compacted = reads.find((r) => r.compacted) as typeof small;
  // CPU per committed transaction, every process of the network and the client together: what
  // throughput is on saturated cores, but measured per transaction, so a host that slows down
  // between two stages (a shared machine's steal time) moves it far less than tx/s.
  const cpuPerTx = (r: StageResult | undefined): number | undefined => (r?.cpu === undefined ? undefined : Object.values(r.cpu).reduce<number>((sum, v) => sum + (v ?? 0), 0));
  const ratios = {
    workflowPeakOverTrivialPeak: { value: ratio(workflowPeak?.tps, trivialPeak?.tps), target: '>= 0.8', at: `workflow tx/s at its peak (c=${workflowPeak?.concurrency}) / trivial at its peak (c=${trivialPeak?.concurrency})` },
    workflowOverTrivialSameConcurrency: { value: ratio(workflowPeak?.tps, wfSame?.tps), target: 'info', at: `both at c=${workflowPeak?.concurrency}` },
    submitPeakOverTrivialPeak: { value: ratio(submitPeak?.tps, trivialPeak?.tps), target: '>= 0.6', at: `claim submission at its peak (c=${submitPeak?.concurrency}), credential verified by each endorsing peer` },
    workflowByCpuOverTrivial: { value: ratio(cpuPerTx(trivialPeak), cpuPerTx(workflowPeak)), target: 'info', at: 'the same by CPU per transaction at the peaks (trivial ms / workflow ms): robust to the host slowing between stages' },
    submitByCpuOverTrivial: { value: ratio(cpuPerTx(trivialPeak), cpuPerTx(submitPeak)), target: 'info', at: 'the same by CPU per transaction at the peaks (trivial ms / submission ms)' },
    httpOverDirectSubmit: { value: ratio(httpSubmit?.tps, directSubmit?.tps), target: '>= 0.9', at: `claim submission at c=${httpSubmit?.concurrency}, direct: mean of the legs before and after (HTTP adds the gateway's precheck)` },
    httpOverDirectVerify: { value: ratio(httpVote?.tps, directVote?.tps), target: '>= 0.9', at: `verification vote at c=${httpVote?.concurrency}, direct: mean of the legs before and after (HTTP: client-signed, 2 signing steps)` },
    trivialHalfPeakP99OverBatchTimeout: { value: ratio(half('trivial')?.p99, batchTimeoutMs), target: '<= 2', at: `p99 submit->commit at ${half('trivial')?.extra?.targetRate} tx/s, batch timeout ${batchTimeoutMs} ms` },
    submitHalfPeakP99OverBatchTimeout: { value: ratio(half('submit')?.p99, batchTimeoutMs), target: '<= 2', at: `p99 submit->commit at ${half('submit')?.extra?.targetRate} claims/s, batch timeout ${batchTimeoutMs} ms` },
    provenanceLargeOverSmall: { value: ratio(largeRaw?.provenanceP50, small?.provenanceP50), target: '<= 1.5', at: `p50 ${largeRaw?.proofs} / ${small?.proofs} proofs` },
    totalsLargeOverSmall: { value: ratio(largeRaw?.totalsP50, small?.totalsP50), target: 'info', at: `p50 ${largeRaw?.proofs} / ${small?.proofs} proofs, before compaction` },
    totalsCompactedLargeOverSmall: { value: ratio(compacted?.totalsP50, small?.totalsP50), target: '<= 1.5', at: `p50 ${compacted?.proofs} compacted / ${small?.proofs} proofs uncompacted` },
  };
  // Where the time goes at each stage's peak: CPU per committed transaction, per kind of process.
  const peaks = [...new Set(results.map((r) => r.stage))].map((stage) => ({ stage, peak: peakOf(stage) }))
    .filter((p): p is { stage: string; peak: StageResult } => p.peak !== undefined && new Set(results.filter((r) => r.stage === p.stage && r.path === 'direct').map((r) => r.concurrency)).size > 1);
  const mvccDistinct = results.filter((r) => !r.stage.startsWith('trivial')).reduce((s, r) => s + r.mvccConflicts, 0);
  const hardware = {
    cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`, node: process.version, loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
  const pad = (v: string, n: number) => v.padStart(n);
  const f = (v: number, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '-');
  console.log(`\nimpact-ledger benchmark, ${consensus}, ${hardware.cpus} cores (${hardware.cpuModel}), ${hardware.memoryGiB} GiB, ${opts.label}`);
  console.log(`${'stage'.padEnd(26)}${pad('path', 7)}${pad('c', 5)}${pad('ok', 7)}${pad('tx/s', 9)}${pad('p50 ms', 9)}${pad('p95 ms', 9)}${pad('p99 ms', 9)}${pad('mvcc', 6)}${pad('failed', 8)}`);
  for (const r of results) {
    console.log(`${r.stage.padEnd(26)}${pad(r.path, 7)}${pad(String(r.concurrency), 5)}${pad(String(r.committed), 7)}${pad(f(r.tps, 1), 9)}${pad(f(r.p50), 9)}${pad(f(r.p95), 9)}${pad(f(r.p99), 9)}${pad(String(r.mvccConflicts), 6)}${pad(String(r.failed), 8)}${r.extra?.claimsPerSecond !== undefined ? `  claims/s ${f(Number(r.extra.claimsPerSecond), 2)}` : ''}`);
  }
  console.log('\neach stage at its peak, and where its CPU goes (2 endorsements per transaction):');
  for (const { stage, peak: p } of peaks) console.log(`  ${stage.padEnd(22)} ${f(p.tps, 1).padStart(7)} tx/s at c=${String(p.concurrency).padEnd(4)} ${p.cpu ? formatProfile(p.cpu) : ''}`);
  console.log('\nratios (same run):');
  for (const [name, r] of Object.entries(ratios)) {
    if (r.value === null) continue;
    const met = r.target === 'info' ? '' : meets(r.value, r.target) ? '  met' : '  MISSED';
    console.log(`  ${name.padEnd(36)} ${r.value.toFixed(2).padStart(7)}  target ${r.target}${met}  (${r.at})`);
  }
  console.log(`  MVCC conflicts between distinct claims: ${mvccDistinct} (must be 0)`);
  mkdirSync(opts.out, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const file = path.join(opts.out, `${stamp}.json`);
  const document = { startedAt: started.toISOString(), finishedAt: new Date().toISOString(), consensus, label: opts.label, hardware,
    settings: { durationMs: opts.durationMs, sweep: opts.sweep, stageConcurrency: opts.stageConcurrency, ledgerSizes: opts.ledgerSizes, grpcConnectionReuse: opts.reuse,
      batchTimeout: batchSettings().timeout, batchMaxMessages: batchSettings().maxMessages },
    peaks: peaks.map(({ stage, peak: p }) => ({ stage, concurrency: p.concurrency, tps: p.tps, cpuMsPerTx: p.cpu })),
    results, reads, ratios, mvccConflictsDistinctClaims: mvccDistinct, notes };
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
  const chart = await writeChart(results, file.replace(/\.json$/, '.svg'));
  if (chart) console.log(`chart:   ${path.relative(process.cwd(), chart)}`);
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
