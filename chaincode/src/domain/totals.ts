/**
 * Totals per Net Zero Initiative pillar and unit, never summed across pillars. Each issuance and
 * each retirement writes its own entry (no shared hot key); totals are summed from a prefix read.
 * Operators fold delta entries, a bounded number per transaction, into one snapshot per protocol
 * version and activity month, so a read stays small however many proofs exist.
 *
 * Totals can further be grouped by protocol version, SDG target and activity period (month or
 * year). A proof counts in the month its activity period (vintage) starts. Grouped by SDG target,
 * a proof counts once under each target of its protocol: rows of different targets must not be
 * added up (the API says so too).
 */
import { ChaincodeError } from '../errors';
import { asFields, integer, invalid, list, oneOf, onlyFields, parseJsonArgument, text, unique } from './args';
import { compareSdgTargets, PILLARS, slug, type Pillar } from './protocol';
import type { ProofOfImpact } from './proof';

/** Issued and retired quantities of one protocol version and activity month (one event, or a snapshot). */
export interface TotalsEntry {
  pillar: Pillar;
  unit: string;
  protocolId: string;
  protocolVersion: number;
  sdgTargets: string[];
  /** `YYYY-MM`: the month the proof's activity period starts. */
  month: string;
  issued: number;
  retired: number;
}

/** What totals may be grouped by, beyond pillar and unit (always). */
export const TOTALS_DIMENSIONS = ['protocol', 'sdg', 'month', 'year'] as const;
export type TotalsDimension = (typeof TOTALS_DIMENSIONS)[number];

/** One row of totals: a (pillar, unit) and, when grouped so, a protocol version, SDG target, period. */
export interface TotalsRow {
  pillar: Pillar;
  unit: string;
  protocolId?: string;
  protocolVersion?: number;
  sdgTarget?: string;
  /** `YYYY-MM` grouped by month, `YYYY` grouped by year. */
  period?: string;
  issued: number;
  retired: number;
}

/** Which entries to sum, and how to group them. */
export interface TotalsFilter {
  pillar?: Pillar;
  unit?: string;
  protocolId?: string;
  protocolVersion?: number;
  /** Only proofs of protocols that contribute to this SDG target. */
  sdg?: string;
  /** First and last activity month (`YYYY-MM`, inclusive). */
  from?: string;
  to?: string;
  groupBy?: TotalsDimension[];
}

/** Entry ids: `issued:<proofId>` and `retired:<proofId>` for deltas, `snapshot:<YYYY-MM>` for snapshots. */
export const SNAPSHOT_PREFIX = 'snapshot:';

/** The snapshot entry id of one activity month. */
export function snapshotEntryId(month: string): string {
  return `${SNAPSHOT_PREFIX}${month}`;
}

/** True for a snapshot entry id. */
export function isSnapshotEntryId(entryId: string): boolean {
  return entryId.startsWith(SNAPSHOT_PREFIX);
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const SDG_TARGET = /^\d{1,2}\.[0-9a-z]{1,2}$/;

function entryOf(proof: ProofOfImpact, issued: number, retired: number): TotalsEntry {
  return {
    pillar: proof.pillar, unit: proof.unit, protocolId: proof.protocolId, protocolVersion: proof.protocolVersion,
    sdgTargets: proof.sdgTargets, month: proof.vintage.start.slice(0, 7), issued, retired,
  };
}

/** The entry written when `proof` is issued. */
export function issuanceEntry(proof: ProofOfImpact): { entryId: string; entry: TotalsEntry } {
  return { entryId: `issued:${proof.id}`, entry: entryOf(proof, proof.quantity, 0) };
}

/** The entry written when `proof` is retired. */
export function retirementEntry(proof: ProofOfImpact): { entryId: string; entry: TotalsEntry } {
  return { entryId: `retired:${proof.id}`, entry: entryOf(proof, 0, proof.quantity) };
}

const FILTER_FIELDS = ['pillar', 'unit', 'protocolId', 'protocolVersion', 'sdg', 'from', 'to', 'groupBy'];

/** Parses the Totals filter (`""` or a JSON object with the fields of TotalsFilter). */
export function parseTotalsFilter(json: string): TotalsFilter {
  if (json === '') return {};
  const input = asFields(parseJsonArgument(json, 'filter'), 'filter');
  onlyFields(input, FILTER_FIELDS, 'filter');
  if (input.protocolVersion !== undefined && input.protocolId === undefined) throw invalid('filter.protocolVersion', 'needs filter.protocolId');
  if (input.unit !== undefined && input.pillar === undefined) throw invalid('filter.unit', 'needs filter.pillar');
  const from = input.from === undefined ? undefined : text(input.from, 'filter.from', 7, MONTH);
  const to = input.to === undefined ? undefined : text(input.to, 'filter.to', 7, MONTH);
  if (from !== undefined && to !== undefined && from > to) throw invalid('filter.to', 'is before filter.from');
  let groupBy: TotalsDimension[] | undefined;
  if (input.groupBy !== undefined) {
    const dimensions = list(input.groupBy, 'filter.groupBy', (v, f) => oneOf(v, f, TOTALS_DIMENSIONS), TOTALS_DIMENSIONS.length);
    unique(dimensions, 'filter.groupBy');
    if (dimensions.includes('month') && dimensions.includes('year')) throw invalid('filter.groupBy', 'takes month or year, not both');
    groupBy = TOTALS_DIMENSIONS.filter((d) => dimensions.includes(d));
  }
  return {
    ...(input.pillar !== undefined ? { pillar: oneOf(input.pillar, 'filter.pillar', PILLARS) } : {}),
    ...(input.unit !== undefined ? { unit: text(input.unit, 'filter.unit', 32) } : {}),
    ...(input.protocolId !== undefined ? { protocolId: slug(input.protocolId, 'filter.protocolId') } : {}),
    ...(input.protocolVersion !== undefined ? { protocolVersion: integer(input.protocolVersion, 'filter.protocolVersion', 1) } : {}),
    ...(input.sdg !== undefined ? { sdg: text(input.sdg, 'filter.sdg', 5, SDG_TARGET) } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(groupBy !== undefined && groupBy.length > 0 ? { groupBy } : {}),
  };
}

function matches(entry: TotalsEntry, filter: TotalsFilter): boolean {
  return (filter.pillar === undefined || entry.pillar === filter.pillar)
    && (filter.unit === undefined || entry.unit === filter.unit)
    && (filter.protocolId === undefined || entry.protocolId === filter.protocolId)
    && (filter.protocolVersion === undefined || entry.protocolVersion === filter.protocolVersion)
    && (filter.sdg === undefined || entry.sdgTargets.includes(filter.sdg))
    && (filter.from === undefined || entry.month >= filter.from)
    && (filter.to === undefined || entry.month <= filter.to);
}

function add(a: number, b: number): number {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new ChaincodeError('QUANTITY_OVERFLOW', 'a total exceeds the largest exact integer; narrow the filter');
  return sum;
}

/** The rows (without quantities) one entry contributes to under `groupBy`. */
function groupsOf(entry: TotalsEntry, groupBy: readonly TotalsDimension[]): Omit<TotalsRow, 'issued' | 'retired'>[] {
  const base: Omit<TotalsRow, 'issued' | 'retired'> = {
    pillar: entry.pillar, unit: entry.unit,
    ...(groupBy.includes('protocol') ? { protocolId: entry.protocolId, protocolVersion: entry.protocolVersion } : {}),
    ...(groupBy.includes('month') ? { period: entry.month } : {}),
    ...(groupBy.includes('year') ? { period: entry.month.slice(0, 4) } : {}),
  };
  return groupBy.includes('sdg') ? entry.sdgTargets.map((sdgTarget) => ({ ...base, sdgTarget })) : [base];
}

function rowKey(row: Omit<TotalsRow, 'issued' | 'retired'>): string {
  return [row.pillar, row.unit, row.protocolId ?? '', String(row.protocolVersion ?? 0).padStart(10, '0'), row.sdgTarget ?? '', row.period ?? ''].join('\u0000');
}

function compareRows(a: TotalsRow, b: TotalsRow): number {
  const order = (x: TotalsRow, y: TotalsRow): number => {
    const keyX = rowKey({ ...x, sdgTarget: '' });
    const keyY = rowKey({ ...y, sdgTarget: '' });
    return keyX < keyY ? -1 : keyX > keyY ? 1 : 0;
  };
  if (a.pillar !== b.pillar || a.unit !== b.unit || a.protocolId !== b.protocolId || a.protocolVersion !== b.protocolVersion) return order(a, b);
  if (a.sdgTarget !== b.sdgTarget) return compareSdgTargets(a.sdgTarget ?? '', b.sdgTarget ?? '');
  return order(a, b);
}

/**
 * Sums entries per (pillar, unit) and the dimensions of `filter.groupBy`, sorted by pillar, unit,
 * protocol version, SDG target (UN order) and period. There is no cross-pillar sum.
 */
export function sumTotals(entries: readonly TotalsEntry[], filter: TotalsFilter): TotalsRow[] {
  const groupBy = filter.groupBy ?? [];
  const rows = new Map<string, TotalsRow>();
  for (const entry of entries) {
    if (!matches(entry, filter)) continue;
    for (const group of groupsOf(entry, groupBy)) {
      const key = rowKey(group);
      const row = rows.get(key) ?? { ...group, issued: 0, retired: 0 };
      rows.set(key, { ...row, issued: add(row.issued, entry.issued), retired: add(row.retired, entry.retired) });
    }
  }
  return [...rows.values()].sort(compareRows);
}

/** A snapshot to write: the entry id and the folded entry. */
export interface SnapshotUpdate {
  entryId: string;
  entry: TotalsEntry;
}

/**
 * Folds delta entries into the snapshots of their (protocol version, month): `existing` looks up
 * the current snapshot of a group (undefined when there is none yet). Sorted by key.
 */
export function foldIntoSnapshots(deltas: readonly TotalsEntry[], existing: (protocolId: string, protocolVersion: number, month: string) => TotalsEntry | undefined): SnapshotUpdate[] {
  const groups = new Map<string, TotalsEntry>();
  for (const delta of deltas) {
    const key = `${delta.protocolId}\u0000${String(delta.protocolVersion).padStart(10, '0')}\u0000${delta.month}`;
    const snapshot = groups.get(key) ?? existing(delta.protocolId, delta.protocolVersion, delta.month) ?? { ...delta, issued: 0, retired: 0 };
    groups.set(key, { ...snapshot, issued: add(snapshot.issued, delta.issued), retired: add(snapshot.retired, delta.retired) });
  }
  return [...groups.keys()].sort().map((key) => {
    const entry = groups.get(key) as TotalsEntry;
    return { entryId: snapshotEntryId(entry.month), entry };
  });
}

/** Default and largest number of delta entries one CompactTotals transaction folds. */
export const COMPACT_DEFAULT_LIMIT = 1000;
export const COMPACT_MAX_LIMIT = 5000;
