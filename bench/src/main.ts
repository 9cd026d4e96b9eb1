/**
 * `npm run bench`: drives a running impact-ledger network (IL_NETWORK_JSON, brought up by
 * scripts/bench.sh with the bench contract) with bounded, self-stopping load from this process
 * (loopback only), prints a table and the ratios that matter, writes bench/results/<stamp>.json
 * and a chart beside it.
 */
import { CREDENTIALS_V2_URL, generateIssuerKey, IMPACT_LEDGER_CONTEXT_V1_URL, signCredential, type JsonObject } from '@impact-ledger/credentials';
import { claimIdOf, proofIdOf, sha256Hex } from '@impact-ledger/chaincode/domain';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadNetwork, REPO_ROOT } from '../../test/helpers/network';
import { writeChart } from './chart';
import { Connections, Heights, type Actor } from './client';
import { buildCast, claimDraft, setUp, type Cast } from './setup';
import { startGateways, type HttpGateways } from './http';
import { runLoad, type Outcome, type StageResult } from './stats';

const STAGES = ['trivial', 'submit', 'verify', 'validate', 'workflow', 'http', 'reads'] as const;
type Stage = (typeof STAGES)[number];

const HELP = `Usage: npm run bench -- [options]      (scripts/bench.sh; options after --)

  --quick                 short run: 5 s per level, ledgers of 1k and 10k proofs
  --duration S            seconds of load per stage and concurrency level (default 15; quick 5)
  --concurrency LIST      concurrency sweep of the trivial and submission stages (default 1,8,32,128)
  --stage-concurrency N   in-flight transactions of the other stages (default 32)
  --stages LIST           subset of ${STAGES.join(',')} (default: all)
  --ledger-sizes LIST     proofs on the ledger for the read stage (default 1000,100000; quick 1000,10000)
  --large                 add a ledger of 1,000,000 proofs to the read stage
  --http-credentials N    signed credentials prepared for the HTTP stage (default 600; quick 200)
  --no-reuse              one gRPC connection per identity instead of one per peer (tuning)
  --label TEXT            a note stored in the results (e.g. the orderer batch settings)
  --out DIR               where results go (default bench/results)
  --keep-network          (scripts/bench.sh) leave the bench network running
  -h, --help              this help

Environment: IL_NETWORK_JSON (set by scripts/bench.sh), IL_BATCH_TIMEOUT / IL_BATCH_MAX_MESSAGES
(read by scripts/bench.sh when it creates the network).`;

interface Options {
  durationMs: number; sweep: number[]; stageConcurrency: number; stages: Set<Stage>; ledgerSizes: number[];
  httpCredentials: number; reuse: boolean; label: string; out: string; quick: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' }, duration: { type: 'string' }, concurrency: { type: 'string' }, 'stage-concurrency': { type: 'string' },
      stages: { type: 'string' }, 'ledger-sizes': { type: 'string' }, large: { type: 'boolean' }, 'http-credentials': { type: 'string' },
      'no-reuse': { type: 'boolean' }, label: { type: 'string' }, out: { type: 'string' }, 'keep-network': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
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
    stageConcurrency: Number(values['stage-concurrency'] ?? 32),
    stages,
    ledgerSizes: [...new Set(ledgerSizes)].sort((a, b) => a - b),
    httpCredentials: Number(values['http-credentials'] ?? (quick ? 200 : 600)),
    reuse: !values['no-reuse'],
    label: values.label ?? '',
    out: values.out ?? path.join(REPO_ROOT, 'bench', 'results'),
  };
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
    log(`${r.stage} [${r.path}] c=${r.concurrency}: ${r.committed} ok in ${r.seconds.toFixed(1)} s = ${r.tps.toFixed(1)}/s, p50 ${r.p50.toFixed(0)} ms p99 ${r.p99.toFixed(0)} ms, mvcc ${r.mvccConflicts}, failed ${r.failed}`);
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

  // 1. trivial: bench:Put, one key per transaction, by the three operators in turn.
  if (opts.stages.has('trivial')) {
    for (const c of opts.sweep) {
      const run = randomBytes(4).toString('hex');
      record(await runLoad({ ...base, stage: 'trivial', path: 'direct', concurrency: c, maxUnits: UNLIMITED,
        unit: async (i) => pick(cast.admins, i).submit('bench:Put', `${run}-${i}`, 'x'.repeat(64)) }));
    }
  }

  // 2. claim submission (distinct claims), through each org's submitter in turn.
  const submitted: Tracked[] = [];
  const submitStage = async (c: number, maxUnits: number) => runLoad({ ...base, stage: 'submit', path: 'direct', concurrency: c, maxUnits,
    unit: async (i) => {
      const org = i % cast.submitters.length;
      const draft = await claimDraft(protocol, issuerKey);
      const outcome = await (cast.submitters[org] as Actor).submitWith('claims:Submit', [draft.args], draft.transient);
      if (outcome.ok) submitted.push({ id: (outcome.result as { id: string }).id, block: outcome.blockNumber ?? 0n, org });
      track(outcome);
      return outcome;
    } });
  if (opts.stages.has('submit')) for (const c of opts.sweep) record(await submitStage(c, UNLIMITED));

  // 3. verification: first votes on submitted claims, then the quorum-closing votes.
  const verified: Tracked[] = [];
  if (opts.stages.has('verify') || opts.stages.has('validate')) {
    if (submitted.length === 0) record(await submitStage(opts.stageConcurrency, UNLIMITED));
    await heights.everywhere(lastBlock);
    const firstVoted: Tracked[] = [];
    const vote = (claim: Tracked, round: number) => pick(cast.verifiers, claim.org + round).submit('claims:Verify', claim.id, 'approve', '42000', hex());
    const claims = submitted.splice(0);
    record({ ...(await runLoad({ ...base, stage: 'verify (1st vote)', path: 'direct', concurrency: opts.stageConcurrency, maxUnits: claims.length,
      unit: async (i) => {
        const claim = claims[i] as Tracked;
        const outcome = await vote(claim, 0);
        if (outcome.ok) firstVoted.push({ ...claim, block: outcome.blockNumber ?? 0n });
        track(outcome);
        return outcome;
      } })) });
    await heights.everywhere(lastBlock);
    record(await runLoad({ ...base, stage: 'verify (quorum)', path: 'direct', concurrency: opts.stageConcurrency, maxUnits: firstVoted.length,
      unit: async (i) => {
        const claim = firstVoted[i] as Tracked;
        const outcome = await vote(claim, 1);
        if (outcome.ok) verified.push({ ...claim, block: outcome.blockNumber ?? 0n });
        track(outcome);
        return outcome;
      } }));
    await heights.everywhere(lastBlock);
  }

  // 4. validation (proof issuance) of verified claims.
  if (opts.stages.has('validate')) {
    record(await runLoad({ ...base, stage: 'validate', path: 'direct', concurrency: opts.stageConcurrency, maxUnits: verified.length,
      unit: async (i) => {
        const claim = verified[i] as Tracked;
        const outcome = await pick(cast.validators, claim.org + 2).submit('claims:Validate', claim.id, '42000');
        track(outcome);
        return outcome;
      } }));
  }

  // 5. full workflow: each in-flight claim goes submit -> 2 votes -> validation, waiting for every
  //    peer to have each block before the next organisation acts on it.
  if (opts.stages.has('workflow')) {
    let claimsDone = 0;
    const result = await runLoad({ ...base, durationMs: opts.durationMs * 2, stage: 'workflow', path: 'direct', concurrency: opts.stageConcurrency, maxUnits: UNLIMITED,
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
    record({ ...result, extra: { claimsPerSecond: claimsDone / result.seconds, claimsCompleted: claimsDone, txPerClaim: 4 } });
  }

  // 6. HTTP gateway vs the fabric-gateway client directly, same concurrency, same kind of work.
  let gateways: HttpGateways | undefined;
  if (opts.stages.has('http')) {
    const c = opts.stageConcurrency;
    log(`signing ${opts.httpCredentials} distinct credentials (eddsa-rdfc-2022) before timing`);
    const credentials: JsonObject[] = [];
    const now = Date.now();
    for (let i = 0; i < opts.httpCredentials; i++) {
      credentials.push(await signCredential({
        '@context': [CREDENTIALS_V2_URL, IMPACT_LEDGER_CONTEXT_V1_URL], id: `urn:uuid:${randomUUID()}`,
        type: ['VerifiableCredential', 'ImpactClaimCredential', 'CommuteModalShiftCredential'], issuer: issuerKey.controller,
        validFrom: new Date(now - 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        validUntil: new Date(now + 365 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        credentialSubject: { id: `did:example:bench-commuter-${i}-${randomBytes(6).toString('hex')}`, activityPeriodStart: '2026-03-01',
          activityPeriodEnd: '2026-03-31', quantity: 42000, unit: 'gCO2e', mode: 'bicycle' },
      }, issuerKey, { date: new Date(now - 3_600_000) }));
    }
    gateways = await startGateways(net, networkJson, path.join(REPO_ROOT, 'build', 'bench-gateways', `${Date.now()}`));
    const threadsNote = `credential check threads per gateway: ${gateways.checkThreads}${gateways.checkThreads === 0 ? ' (on the event loop)' : ''}`;
    // Untimed warm-up: fresh gateway processes (and their worker threads) run their first checks
    // several times slower while V8 compiles them; a long-running gateway has long done that.
    // ~100 checks per check thread (V8 settles after a few dozen), the credentials used in turn.
    const warmUp = 100 * Math.max(1, gateways.checkThreads) * net.orgs.length;
    const warm = await runLoad({ durationMs: UNLIMITED, stage: 'warm-up', path: 'http', concurrency: 8, maxUnits: warmUp,
      unit: (i) => (gateways as HttpGateways).send((i % net.orgs.length) + 1, 'User1', 'POST', '/v1/credentials/check',
        { credential: pick(credentials, i), protocolId: protocol.id, protocolVersion: protocol.version }) });
    if (warm.failed > 0) throw new Error(`HTTP warm-up failed: ${JSON.stringify(warm.errors)}`);
    log(`warm-up: ${warm.committed} untimed credential checks through the gateways (${warm.tps.toFixed(0)}/s)`);
    const PHASES = { 'credential check': 'il_credential_check_seconds', 'endorse + submit': 'il_fabric_submit_seconds', 'commit wait': 'il_fabric_commit_seconds' } as const;
    const phases = async () => Object.fromEntries(await Promise.all(Object.entries(PHASES).map(async ([label, metric]) => [label, await (gateways as HttpGateways).histogram(metric)] as const)));
    const phasesBefore = await phases();
    const before = await gateways.submittedTransactions();
    const httpClaims: Tracked[] = [];
    const http = await runLoad({ ...base, stage: 'submit', path: 'http', concurrency: c, maxUnits: credentials.length,
      unit: async (i) => {
        const org = i % net.orgs.length;
        const outcome = await (gateways as HttpGateways).send(org + 1, 'User1', 'POST', '/v1/claims', {
          protocolId: protocol.id, protocolVersion: protocol.version, credential: credentials[i], evidenceHashes: [hex()], proofLevel: 'computed' });
        if (outcome.ok) {
          const body = outcome.json as { result: { id: string }; blockNumber: number };
          httpClaims.push({ id: body.result.id, block: BigInt(body.blockNumber), org });
        }
        return outcome;
      } });
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
    // The same number of direct submissions at the same concurrency (claims anchored by hash only).
    record(await submitStage(c, Math.max(http.units, 1)));
    // Verification votes (no credential check on either path): HTTP vs direct.
    await heights.everywhere(lastBlock);
    for (const claim of httpClaims) await heights.everywhere(claim.block);
    const directClaims = submitted.splice(0);
    const before2 = await gateways.submittedTransactions();
    const httpVotes = await runLoad({ ...base, stage: 'verify (1st vote)', path: 'http', concurrency: c, maxUnits: httpClaims.length,
      unit: async (i) => {
        const claim = httpClaims[i] as Tracked;
        return (gateways as HttpGateways).send(((claim.org) % net.orgs.length) + 1, 'User2', 'POST', `/v1/claims/${claim.id}/verifications`,
          { decision: 'approve', assessedQuantity: 42000, reportHash: hex() });
      } });
    record({ ...httpVotes, mvccConflicts: Math.max(0, (await gateways.submittedTransactions()) - before2 - httpVotes.committed) });
    record(await runLoad({ ...base, stage: 'verify (1st vote)', path: 'direct', concurrency: c, maxUnits: Math.min(directClaims.length, Math.max(httpVotes.units, 1)),
      unit: async (i) => {
        const claim = directClaims[i] as Tracked;
        return pick(cast.verifiers, claim.org).submit('claims:Verify', claim.id, 'approve', '42000', hex());
      } }));
  }

  // 7. provenance and totals reads on ledgers of growing size (bulk-seeded synthetic proofs).
  if (opts.stages.has('reads')) {
    let seeded = 0;
    const PER_TX = 500;
    const admin = cast.admins[0] as Actor;
    const totalsFilter = JSON.stringify({ pillar: 'B', unit: 'gCO2e' });
    // What Totals must answer once `seeded` proofs of 1000 units are added (checks truncation).
    const issued = async () => ((await admin.evaluate<{ totals: { issued: number }[] }>('proofs:Totals', totalsFilter)).totals[0]?.issued ?? 0);
    const issuedBefore = await issued();
    const measureReads = async (size: number, compacted: boolean) => {
      const provenance = await runLoad({ durationMs: Math.min(opts.durationMs, 10_000), stage: `provenance @${size}`, path: 'direct', concurrency: 8, maxUnits: 2000,
        unit: async (i) => {
          const n = Math.floor(Math.random() * seeded);
          const proofId = proofIdOf(claimIdOf(sha256Hex(`bench-seed:${protocol.id}:${protocol.version}:${n}`)));
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
      reads.push({ proofs: size, compacted, totalsExact: answered === expected, provenanceP50: provenance.p50, provenanceP99: provenance.p99, totalsP50: totals.p50, totalsP99: totals.p99, totalsFailed: totals.failed });
    };
    for (const size of opts.ledgerSizes) {
      const t0 = performance.now();
      const batches: number[] = [];
      for (let start = seeded; start < size; start += PER_TX) batches.push(start);
      const seeding = await runLoad({ durationMs: UNLIMITED, stage: `seed to ${size}`, path: 'direct', concurrency: 4, maxUnits: batches.length,
        unit: async (i) => {
          const start = batches[i] as number;
          const outcome = await pick(cast.admins, i).submit('bench:SeedProofs', protocol.id, '1', String(start), String(Math.min(PER_TX, size - start)));
          track(outcome);
          return outcome;
        },
        onProgress: (done) => { if (done % 20 === 0) log(`  seeding: ${done}/${batches.length} transactions`); } });
      if (seeding.failed > 0) throw new Error(`seeding failed: ${JSON.stringify(seeding.errors)}`);
      seeded = size;
      await heights.everywhere(lastBlock);
      const seconds = (performance.now() - t0) / 1000;
      log(`ledger seeded to ${size} proofs (${seeding.committed} tx, ${seconds.toFixed(0)} s, ${(batches.length * PER_TX / seconds).toFixed(0)} proofs/s)`);
      notes.push(`seeding to ${size} proofs: ${seeding.committed} transactions of up to ${PER_TX} proofs, ${seconds.toFixed(1)} s`);
      await measureReads(size, false);
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
  const wf = find('workflow', 'direct');
  const trivialSame = wf ? find('trivial', 'direct', wf.concurrency) : undefined;
  const trivialBest = results.filter((r) => r.stage === 'trivial').reduce<StageResult | undefined>((b, r) => (!b || r.tps > b.tps ? r : b), undefined);
  const httpSubmit = find('submit', 'http');
  const directSubmit = httpSubmit ? find('submit', 'direct', httpSubmit.concurrency) : undefined;
  const httpVote = find('verify (1st vote)', 'http');
  const directVote = httpVote ? find('verify (1st vote)', 'direct', httpVote.concurrency) : undefined;
  const small = reads[0] as { proofs: number; provenanceP50: number; totalsP50: number } | undefined;
  const largeRaw = reads.filter((r) => !r.compacted).at(-1) as typeof small;
  const compacted = reads.find((r) => r.compacted) as typeof small;
  const ratios = {
    workflowPerTxOverTrivial: { value: ratio(wf?.tps, trivialSame?.tps), target: '>= 0.8', at: `concurrency ${wf?.concurrency}` },
    workflowPerTxOverTrivialBest: { value: ratio(wf?.tps, trivialBest?.tps), target: '>= 0.8', at: `best trivial (c=${trivialBest?.concurrency})` },
    httpOverDirectSubmit: { value: ratio(httpSubmit?.tps, directSubmit?.tps), target: '>= 0.9', at: 'claim submission (HTTP includes the credential check)' },
    httpOverDirectVerify: { value: ratio(httpVote?.tps, directVote?.tps), target: '>= 0.9', at: 'verification vote' },
    provenanceLargeOverSmall: { value: ratio(largeRaw?.provenanceP50, small?.provenanceP50), target: '<= 1.5', at: `p50 ${largeRaw?.proofs} / ${small?.proofs} proofs` },
    totalsLargeOverSmall: { value: ratio(largeRaw?.totalsP50, small?.totalsP50), target: '<= 1.5', at: `p50 ${largeRaw?.proofs} / ${small?.proofs} proofs, before compaction` },
    totalsCompactedLargeOverSmall: { value: ratio(compacted?.totalsP50, small?.totalsP50), target: '<= 1.5', at: `p50 ${compacted?.proofs} compacted / ${small?.proofs} proofs uncompacted` },
  };
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
  console.log('\nratios (same run):');
  for (const [name, r] of Object.entries(ratios)) console.log(`  ${name.padEnd(32)} ${r.value === null ? '-' : r.value.toFixed(2).padStart(7)}  target ${r.target}  (${r.at})`);
  console.log(`  MVCC conflicts between distinct claims: ${mvccDistinct} (must be 0)`);
  mkdirSync(opts.out, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const file = path.join(opts.out, `${stamp}.json`);
  const document = { startedAt: started.toISOString(), finishedAt: new Date().toISOString(), consensus, label: opts.label, hardware,
    settings: { durationMs: opts.durationMs, sweep: opts.sweep, stageConcurrency: opts.stageConcurrency, ledgerSizes: opts.ledgerSizes, grpcConnectionReuse: opts.reuse,
      batchTimeout: process.env.IL_BATCH_TIMEOUT ?? '500ms', batchMaxMessages: process.env.IL_BATCH_MAX_MESSAGES ?? '100' },
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
