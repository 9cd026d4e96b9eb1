/**
 * The pure parts of the soak benchmark (`npm run bench:soak`, bench/src/soak.ts): the claim rate
 * taken from earlier benchmark results, the memory growth of a process over the end of the run
 * and its verdict, and which acknowledged transactions a peer's ledger does not show. No I/O:
 * tested by test/unit/soak-stats.test.ts.
 */

/** A resident-memory sample of one process: minutes since the load started, and KiB. */
export interface MemoryPoint {
  minute: number;
  kib: number;
}

/** How much a process grew over the judged window, by a least-squares line through its samples. */
export interface Growth {
  /** The window judged: samples taken from `fromMinute` to `toMinute`. */
  fromMinute: number;
  toMinute: number;
  samples: number;
  /** The fitted line at the start and at the end of the window (KiB). */
  fittedStartKiB: number;
  fittedEndKiB: number;
  /** (fitted end - fitted start) / fitted start; NaN with fewer than two samples. */
  growth: number;
  /** Means of the first two and the last two samples of the window (KiB), shown beside the fit. */
  firstTwoKiB: number;
  lastTwoKiB: number;
  /** The window is as long as asked (a shorter run judges what it has: indicative only). */
  fullWindow: boolean;
}

/** Memory is flat when it grew less than this over the window. */
export const FLAT_GROWTH = 0.1;
/** The window judged: the last 20 minutes of the run. */
export const WINDOW_MINUTES = 20;

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;

/**
 * Growth of one process over the last `windowMinutes` of its samples: a least-squares line
 * through every sample of the window (robust to one garbage-collection peak at either end),
 * growth = fitted end over fitted start, minus one.
 */
export function memoryGrowth(points: readonly MemoryPoint[], windowMinutes = WINDOW_MINUTES): Growth {
  const sorted = [...points].sort((a, b) => a.minute - b.minute);
  const last = sorted.at(-1)?.minute ?? 0;
  const first = sorted[0]?.minute ?? 0;
  const window = sorted.filter((p) => p.minute >= last - windowMinutes);
  const fromMinute = window[0]?.minute ?? 0;
  const base = { fromMinute, toMinute: last, samples: window.length, fullWindow: last - first >= windowMinutes };
  if (window.length < 2) {
    const kib = window[0]?.kib ?? Number.NaN;
    return { ...base, fittedStartKiB: kib, fittedEndKiB: kib, growth: Number.NaN, firstTwoKiB: kib, lastTwoKiB: kib };
  }
  const mx = mean(window.map((p) => p.minute));
  const my = mean(window.map((p) => p.kib));
  const sxx = window.reduce((s, p) => s + (p.minute - mx) ** 2, 0);
  const slope = sxx === 0 ? 0 : window.reduce((s, p) => s + (p.minute - mx) * (p.kib - my), 0) / sxx;
  const at = (minute: number) => my + slope * (minute - mx);
  const fittedStartKiB = at(fromMinute);
  const fittedEndKiB = at(last);
  return {
    ...base, fittedStartKiB, fittedEndKiB,
    growth: fittedStartKiB > 0 ? (fittedEndKiB - fittedStartKiB) / fittedStartKiB : Number.NaN,
    firstTwoKiB: mean(window.slice(0, 2).map((p) => p.kib)),
    lastTwoKiB: mean(window.slice(-2).map((p) => p.kib)),
  };
}

export type MemoryVerdict = 'flat' | 'growing' | 'unknown';

/** flat below {@link FLAT_GROWTH}, growing at or above it, unknown without two samples. */
export function memoryVerdict(growth: Growth): MemoryVerdict {
  if (!Number.isFinite(growth.growth)) return 'unknown';
  return growth.growth < FLAT_GROWTH ? 'flat' : 'growing';
}

/** Where the soak's claim rate came from. */
export interface RatePick {
  /** Claims per second (each claim is 4 transactions). */
  rate: number;
  source: string;
}

/** A benchmark results document of `npm run bench`, as far as the rate pick reads it. */
interface WorkflowFigure {
  startedAt: string;
  claimsPerSecond: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The best direct workflow claims/s of a results document, or undefined when it has none. */
export function workflowPeakOf(document: unknown): WorkflowFigure | undefined {
  if (!isRecord(document) || typeof document.startedAt !== 'string' || !Array.isArray(document.results)) return undefined;
  let best: number | undefined;
  for (const result of document.results) {
    if (!isRecord(result) || result.stage !== 'workflow' || result.path !== 'direct' || !isRecord(result.extra)) continue;
    const claims = result.extra.claimsPerSecond;
    if (typeof claims === 'number' && Number.isFinite(claims) && claims > 0 && (best === undefined || claims > best)) best = claims;
  }
  return best === undefined ? undefined : { startedAt: document.startedAt, claimsPerSecond: best };
}

/**
 * The soak's claim rate: `option` when given; else half of the workflow peak of the newest results
 * document holding one (`documents`: file name and parsed content); undefined when there is none
 * (the caller then probes the peak itself).
 */
export function pickRate(option: number | undefined, documents: readonly { file: string; document: unknown }[]): RatePick | undefined {
  if (option !== undefined) return { rate: option, source: `--rate ${option}` };
  const found = documents.flatMap(({ file, document }) => {
    const peak = workflowPeakOf(document);
    return peak === undefined ? [] : [{ file, ...peak }];
  }).sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0))[0];
  if (found === undefined) return undefined;
  return {
    rate: found.claimsPerSecond / 2,
    source: `half of the workflow peak ${found.claimsPerSecond.toFixed(2)} claims/s (${(found.claimsPerSecond * 4).toFixed(1)} tx/s) of ${found.file}`,
  };
}

/** The steps of one claim's workflow, each acknowledged by a gateway with its transaction id. */
export type Step = 'submit' | 'vote1' | 'vote2' | 'validate';

/** What one peer's ledger shows of a claim (from proofs:Provenance, or claims:Get + Verifications). */
export interface LedgerView {
  claimTxId?: string;
  claimStatus?: string;
  verificationTxIds: readonly string[];
  proofTxId?: string;
}

/**
 * The acknowledged transactions (`acked`: step -> txId) of one claim that the peer's `view` does
 * not show, and whether the claim is validated with its proof when its validation was acknowledged.
 */
export function missingOnPeer(acked: Partial<Record<Step, string>>, view: LedgerView): string[] {
  const missing: string[] = [];
  if (acked.submit !== undefined && view.claimTxId !== acked.submit) missing.push(`submit ${acked.submit}`);
  for (const step of ['vote1', 'vote2'] as const) {
    const txId = acked[step];
    if (txId !== undefined && !view.verificationTxIds.includes(txId)) missing.push(`${step} ${txId}`);
  }
  if (acked.validate !== undefined) {
    if (view.proofTxId !== acked.validate) missing.push(`validate ${acked.validate} (no proof issued by it)`);
    else if (view.claimStatus !== 'validated') missing.push(`validate ${acked.validate} (claim status ${view.claimStatus ?? 'unknown'})`);
  }
  return missing;
}
