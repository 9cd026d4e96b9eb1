/**
 * The CSV export of a campaign for one month: what is owed per producer pseudonym, in a layout
 * payroll and accounting tools import. RFC 4180 (CRLF line ends, fields quoted when needed),
 * UTF-8 without BOM, one header row. Columns:
 *
 * | column              | meaning                                                                 |
 * |---------------------|-------------------------------------------------------------------------|
 * | period              | the month (YYYY-MM) the proofs' activity started in                     |
 * | campaign_id         | the campaign                                                            |
 * | producer_pseudonym  | the producer's pseudonym (hash of the credential subject id, no PII)    |
 * | protocol_id         | the protocol the proofs were issued under                               |
 * | unit                | the unit of the impact quantity (e.g. gCO2e)                            |
 * | quantity            | proven impact settled, integer, in `unit`                               |
 * | proofs              | number of proofs settled                                                |
 * | currency            | ISO 4217                                                                |
 * | amount_minor        | settled amount, integer minor units (cents)                             |
 * | held_minor          | held in the buffer until the campaign closes (0 once closed)            |
 * | payable_minor       | amount_minor - held_minor: what to pay now                              |
 * | payable             | payable_minor as a decimal with a dot (e.g. 12.34)                      |
 *
 * Rows sorted by producer pseudonym, then protocol, then unit. Text cells that a spreadsheet would
 * run as a formula are neutralised with a leading single quote (see csv.ts).
 */
import { toCsv } from './csv.js';

/** The part of a ledger settlement the export reads. */
export interface SettlementRow {
  readonly campaignId: string;
  readonly producerPseudonym: string;
  readonly protocolId: string;
  readonly unit: string;
  readonly quantity: number;
  readonly currency: string;
  readonly amount: number;
  readonly held: number;
  readonly vintage: { readonly start: string; readonly end: string };
}

/** The export's columns, in order. */
export const EXPORT_COLUMNS = [
  'period', 'campaign_id', 'producer_pseudonym', 'protocol_id', 'unit', 'quantity', 'proofs', 'currency', 'amount_minor', 'held_minor', 'payable_minor', 'payable',
] as const;

/** Minor units as a decimal string with `digits` decimals (2 for EUR/USD). */
export function formatMinor(minor: number, digits = 2): string {
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

interface Group {
  readonly row: SettlementRow;
  readonly quantity: number;
  readonly proofs: number;
  readonly amount: number;
  readonly held: number;
}

function groupKey(s: SettlementRow): string {
  return [s.producerPseudonym, s.protocolId, s.unit].join('\u0000');
}

function added(group: Group | undefined, s: SettlementRow): Group {
  const g = group ?? { row: s, quantity: 0, proofs: 0, amount: 0, held: 0 };
  return { row: s, quantity: g.quantity + s.quantity, proofs: g.proofs + 1, amount: g.amount + s.amount, held: g.held + s.held };
}

function groupLine(g: Group, period: string, closed: boolean): string {
  const held = closed ? 0 : g.held;
  return toCsv([[period, g.row.campaignId, g.row.producerPseudonym, g.row.protocolId, g.row.unit, g.quantity, g.proofs, g.row.currency, g.amount, held, g.amount - held, formatMinor(g.amount - held)]]);
}

function inPeriod(s: SettlementRow, period: string): boolean {
  return s.vintage.start.startsWith(`${period}-`);
}

/** The CSV text for the settlements whose activity started in `period` (YYYY-MM), in any order. */
export function campaignExportCsv(settlements: readonly SettlementRow[], period: string, closed: boolean): string {
  const groups = new Map<string, Group>();
  for (const s of settlements) if (inPeriod(s, period)) groups.set(groupKey(s), added(groups.get(groupKey(s)), s));
  return toCsv([[...EXPORT_COLUMNS]]) + [...groups.keys()].sort().map((key) => groupLine(groups.get(key) as Group, period, closed)).join('');
}

/**
 * The same CSV as lines, streamed: `settlements` must come sorted by producer pseudonym, protocol
 * and unit (the order of `campaigns:ExportRows`), so only the current row's group is held.
 */
export async function* campaignExportLines(settlements: AsyncIterable<SettlementRow>, period: string, closed: boolean): AsyncGenerator<string> {
  yield toCsv([[...EXPORT_COLUMNS]]);
  let current: { key: string; group: Group } | undefined;
  for await (const s of settlements) {
    if (!inPeriod(s, period)) continue;
    const key = groupKey(s);
    if (current !== undefined && current.key !== key) {
      if (key < current.key) throw new Error('campaign export: settlements out of row order');
      yield groupLine(current.group, period, closed);
      current = undefined;
    }
    current = { key, group: added(current?.group, s) };
  }
  if (current !== undefined) yield groupLine(current.group, period, closed);
}
