/** Latency statistics and a bounded, self-stopping load loop. */

/** The p-th percentile (0..100) of sorted values, nearest-rank; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** What one measured stage (or one concurrency level of it) produced. */
export interface StageResult {
  stage: string;
  path: 'direct' | 'http';
  concurrency: number;
  /** Transactions (or reads) that completed successfully. */
  committed: number;
  /** Failures other than MVCC / phantom conflicts. */
  failed: number;
  /** Commit statuses MVCC_READ_CONFLICT or PHANTOM_READ_CONFLICT. */
  mvccConflicts: number;
  seconds: number;
  tps: number;
  /** Submit -> commit latency (reads: request -> answer), milliseconds. */
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  /** Extra figures of the stage (e.g. claims per second of the workflow). */
  extra?: Record<string, number | string>;
  /** Milliseconds of CPU per committed transaction, per kind of process (bench/src/processes.ts). */
  cpu?: Partial<Record<string, number>>;
}

/** Outcome of one unit of work: a latency, or a classified failure. */
export type Outcome = { ok: true; ms: number; txs?: number } | { ok: false; mvcc: boolean; error: string };

export interface LoadOptions {
  stage: string;
  path: 'direct' | 'http';
  concurrency: number;
  /** Stop issuing new work after this many milliseconds... */
  durationMs: number;
  /** ...or after this many units, whichever comes first. */
  maxUnits: number;
  /** Runs unit `i` (0-based); never rejects (failures are outcomes). */
  unit: (i: number) => Promise<Outcome | Outcome[]>;
  onProgress?: (done: number) => void;
}

/** Summarises latencies and counts into a StageResult. */
function summarise(options: Pick<LoadOptions, 'stage' | 'path' | 'concurrency'>, latencies: number[], counts: { txs: number; failed: number; mvcc: number }, seconds: number): StageResult {
  latencies.sort((a, b) => a - b);
  const mean = latencies.length === 0 ? Number.NaN : latencies.reduce((s, v) => s + v, 0) / latencies.length;
  return {
    stage: options.stage, path: options.path, concurrency: options.concurrency,
    committed: counts.txs, failed: counts.failed, mvccConflicts: counts.mvcc, seconds, tps: counts.txs / seconds,
    p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), mean,
  };
}

/**
 * Open loop: starts unit `i` at `i / rate` seconds whatever is still in flight, for `durationMs`,
 * then waits for what is in flight. A unit's latency counts from its scheduled start (a client
 * that falls behind shows as latency, not as a lower rate). `concurrency` of the result is the
 * most units seen in flight; the target rate is `extra.targetRate`.
 */
export async function runRate(options: Omit<LoadOptions, 'concurrency' | 'maxUnits'> & { ratePerSecond: number }): Promise<StageResult & { errors: string[]; units: number }> {
  const latencies: number[] = [];
  const errors: string[] = [];
  const counts = { txs: 0, failed: 0, mvcc: 0 };
  const started = performance.now();
  const total = Math.max(1, Math.floor((options.durationMs / 1000) * options.ratePerSecond));
  let inFlight = 0;
  let maxInFlight = 0;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = started + (i * 1000) / options.ratePerSecond;
    const wait = scheduled - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const lateness = Math.max(0, performance.now() - scheduled);
    pending.push(options.unit(i).then((outcomes) => {
      inFlight--;
      for (const outcome of Array.isArray(outcomes) ? outcomes : [outcomes]) {
        if (outcome.ok) {
          latencies.push(outcome.ms + lateness);
          counts.txs += outcome.txs ?? 1;
        } else if (outcome.mvcc) {
          counts.mvcc++;
        } else {
          counts.failed++;
          if (errors.length < 5) errors.push(outcome.error);
        }
      }
      options.onProgress?.(i + 1);
    }));
  }
  await Promise.all(pending);
  const result = summarise({ ...options, concurrency: maxInFlight }, latencies, counts, (performance.now() - started) / 1000);
  return { ...result, extra: { targetRate: Number(options.ratePerSecond.toFixed(2)) }, errors, units: total };
}

/**
 * Runs `unit` with `concurrency` in flight until the duration or the unit budget is spent, then
 * waits for what is in flight (bounded, self-stopping). Latencies are per outcome.
 */
export async function runLoad(options: LoadOptions): Promise<StageResult & { errors: string[]; units: number }> {
  const latencies: number[] = [];
  const errors: string[] = [];
  let failed = 0;
  let mvcc = 0;
  let txs = 0;
  let next = 0;
  const started = performance.now();
  const stopAt = started + options.durationMs;
  const worker = async (): Promise<void> => {
    while (next < options.maxUnits && performance.now() < stopAt) {
      const i = next++;
      const outcomes = await options.unit(i);
      for (const outcome of Array.isArray(outcomes) ? outcomes : [outcomes]) {
        if (outcome.ok) {
          latencies.push(outcome.ms);
          txs += outcome.txs ?? 1;
        } else if (outcome.mvcc) {
          mvcc++;
        } else {
          failed++;
          if (errors.length < 5) errors.push(outcome.error);
        }
      }
      options.onProgress?.(i + 1);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { ...summarise(options, latencies, { txs, failed, mvcc }, seconds), errors, units: next };
}

/** Milliseconds of a Fabric duration ('500ms', '2s'). */
export function durationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: '${text}' (e.g. 500ms, 2s)`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
}

/** Whether `value` meets a target written as '>= 0.8' or '<= 1.5'. */
export function meets(value: number, target: string): boolean {
  const [op, bound] = target.split(' ');
  return op === '>=' ? value >= Number(bound) : value <= Number(bound);
}

/**
 * The orderer batch settings the benchmarked network was made with, as scripts/bench.sh and
 * bench-soak.sh export them from scripts/lib/topology.sh (the one place of their defaults).
 */
export function batchSettings(env: NodeJS.ProcessEnv = process.env): { timeout: string; maxMessages: string } {
  const timeout = env.IL_BATCH_TIMEOUT;
  const maxMessages = env.IL_BATCH_MAX_MESSAGES;
  if (!timeout || !maxMessages) throw new Error('IL_BATCH_TIMEOUT and IL_BATCH_MAX_MESSAGES are not set: run the benchmark through its script (npm run bench, npm run bench:soak)');
  return { timeout, maxMessages };
}
