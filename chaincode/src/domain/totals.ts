/**
 * Totals per Net Zero Initiative pillar and unit, never summed across pillars. Each issuance and
 * each retirement writes its own entry (no shared hot key); totals are summed from a prefix read,
 * and operators may fold entries into one snapshot per protocol version.
 */
import { ChaincodeError } from '../errors';
import { asFields, integer, invalid, oneOf, onlyFields, parseJsonArgument, text } from './args';
import { PILLARS, slug, type Pillar } from './protocol';
import type { ProofOfImpact } from './proof';

/** Issued and retired quantities of one protocol version (one event, or a compacted snapshot). */
export interface TotalsEntry {
  pillar: Pillar;
  unit: string;
  protocolId: string;
  protocolVersion: number;
  issued: number;
  retired: number;
}

/** Issued and retired quantities of one (pillar, unit). */
export interface PillarTotal {
  pillar: Pillar;
  unit: string;
  issued: number;
  retired: number;
}

/** Which entries to sum. */
export interface TotalsFilter {
  pillar?: Pillar;
  unit?: string;
  protocolId?: string;
  protocolVersion?: number;
}

/** The entry id of a compacted snapshot (delta entries are `issued:<proofId>` / `retired:<proofId>`). */
export const SNAPSHOT_ENTRY = 'snapshot';

function entryOf(proof: ProofOfImpact, issued: number, retired: number): TotalsEntry {
  return { pillar: proof.pillar, unit: proof.unit, protocolId: proof.protocolId, protocolVersion: proof.protocolVersion, issued, retired };
}

/** The entry written when `proof` is issued. */
export function issuanceEntry(proof: ProofOfImpact): { entryId: string; entry: TotalsEntry } {
  return { entryId: `issued:${proof.id}`, entry: entryOf(proof, proof.quantity, 0) };
}

/** The entry written when `proof` is retired. */
export function retirementEntry(proof: ProofOfImpact): { entryId: string; entry: TotalsEntry } {
  return { entryId: `retired:${proof.id}`, entry: entryOf(proof, 0, proof.quantity) };
}

/** Parses the Totals filter (`""` or a JSON object with pillar, unit, protocolId, protocolVersion). */
export function parseTotalsFilter(json: string): TotalsFilter {
  if (json === '') return {};
  const input = asFields(parseJsonArgument(json, 'filter'), 'filter');
  onlyFields(input, ['pillar', 'unit', 'protocolId', 'protocolVersion'], 'filter');
  if (input.protocolVersion !== undefined && input.protocolId === undefined) throw invalid('filter.protocolVersion', 'needs filter.protocolId');
  if (input.unit !== undefined && input.pillar === undefined) throw invalid('filter.unit', 'needs filter.pillar');
  return {
    ...(input.pillar !== undefined ? { pillar: oneOf(input.pillar, 'filter.pillar', PILLARS) } : {}),
    ...(input.unit !== undefined ? { unit: text(input.unit, 'filter.unit', 32) } : {}),
    ...(input.protocolId !== undefined ? { protocolId: slug(input.protocolId, 'filter.protocolId') } : {}),
    ...(input.protocolVersion !== undefined ? { protocolVersion: integer(input.protocolVersion, 'filter.protocolVersion', 1) } : {}),
  };
}

function matches(entry: TotalsEntry, filter: TotalsFilter): boolean {
  return (filter.pillar === undefined || entry.pillar === filter.pillar)
    && (filter.unit === undefined || entry.unit === filter.unit)
    && (filter.protocolId === undefined || entry.protocolId === filter.protocolId)
    && (filter.protocolVersion === undefined || entry.protocolVersion === filter.protocolVersion);
}

function add(a: number, b: number): number {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new ChaincodeError('QUANTITY_OVERFLOW', 'a total exceeds the largest exact integer; narrow the filter');
  return sum;
}

function groupKey(pillar: string, unit: string): string {
  return `${pillar}\u0000${unit}`;
}

/** Sums entries per (pillar, unit), sorted by pillar then unit. There is no cross-pillar sum. */
export function sumTotals(entries: readonly TotalsEntry[], filter: TotalsFilter): PillarTotal[] {
  const groups = new Map<string, PillarTotal>();
  for (const entry of entries.filter((e) => matches(e, filter))) {
    const key = groupKey(entry.pillar, entry.unit);
    const total = groups.get(key) ?? { pillar: entry.pillar, unit: entry.unit, issued: 0, retired: 0 };
    groups.set(key, { ...total, issued: add(total.issued, entry.issued), retired: add(total.retired, entry.retired) });
  }
  return [...groups.keys()].sort().map((key) => groups.get(key) as PillarTotal);
}

/** Folds the entries of one (pillar, unit) into one snapshot per protocol version, sorted. */
export function compactEntries(entries: readonly TotalsEntry[]): TotalsEntry[] {
  const groups = new Map<string, TotalsEntry>();
  for (const entry of entries) {
    const key = `${entry.protocolId}\u0000${String(entry.protocolVersion).padStart(10, '0')}`;
    const snapshot = groups.get(key) ?? { ...entry, issued: 0, retired: 0 };
    groups.set(key, { ...snapshot, issued: add(snapshot.issued, entry.issued), retired: add(snapshot.retired, entry.retired) });
  }
  return [...groups.keys()].sort().map((key) => groups.get(key) as TotalsEntry);
}
