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

/** The CSV text for the settlements whose activity started in `period` (YYYY-MM). */
export function campaignExportCsv(settlements: readonly SettlementRow[], period: string, closed: boolean): string {
  const groups = new Map<string, { row: SettlementRow; quantity: number; proofs: number; amount: number; held: number }>();
  for (const s of settlements) {
    if (!s.vintage.start.startsWith(`${period}-`)) continue;
    const key = [s.producerPseudonym, s.protocolId, s.unit].join('\u0000');
    const group = groups.get(key) ?? { row: s, quantity: 0, proofs: 0, amount: 0, held: 0 };
    groups.set(key, { row: s, quantity: group.quantity + s.quantity, proofs: group.proofs + 1, amount: group.amount + s.amount, held: group.held + s.held });
  }
  const rows = [...groups.keys()].sort().map((key) => {
    const g = groups.get(key) as { row: SettlementRow; quantity: number; proofs: number; amount: number; held: number };
    const held = closed ? 0 : g.held;
    return [period, g.row.campaignId, g.row.producerPseudonym, g.row.protocolId, g.row.unit, g.quantity, g.proofs, g.row.currency, g.amount, held, g.amount - held, formatMinor(g.amount - held)];
  });
  return toCsv([[...EXPORT_COLUMNS], ...rows]);
}
