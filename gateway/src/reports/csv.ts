/**
 * The one CSV writer of the gateway: RFC 4180 (CRLF line ends, fields quoted when needed), with
 * every cell passed through {@link csvCell} so no cell runs as a formula when the file is opened
 * in a spreadsheet (CSV/formula injection).
 */
import { stringify } from 'csv-stringify/sync';

/** A CSV cell: text, or a number written as a number. */
export type CsvValue = string | number;

/** A leading character that makes spreadsheets evaluate a cell (OWASP: = + - @ TAB CR). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A signed decimal number: no function, reference or operator after the sign can hide in it. */
const PLAIN_DECIMAL = /^[+-]?[0-9]+(\.[0-9]+)?$/;

/**
 * A cell made safe for spreadsheets. Text starting with = + - @ TAB or CR gets a single quote in
 * front (OWASP's advice), so it shows as text and never runs. Deliberately left alone:
 * - numbers (JS numbers: amounts, quantities, counts), negative ones too: a number cannot hold a
 *   formula, and `-5` must stay a number for accounting imports;
 * - text that is a plain signed decimal (`-12.34`, the formatted `payable`): the spreadsheet reads
 *   it as that number, nothing else, and quoting it would break imports of legitimate amounts.
 * Everything else (free text like a protocol's unit, ids, names) is neutralised.
 */
export function csvCell(value: CsvValue): CsvValue {
  if (typeof value === 'number') return value;
  return FORMULA_START.test(value) && !PLAIN_DECIMAL.test(value) ? `'${value}` : value;
}

/** CSV text of `rows` (the header row first), every cell through {@link csvCell}. */
export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return stringify(rows.map((row) => row.map(csvCell)), { record_delimiter: 'windows', quoted_match: /[",\r\n]/ });
}
