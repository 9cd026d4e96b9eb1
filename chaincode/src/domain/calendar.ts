/**
 * Civil-calendar arithmetic on integers (proleptic Gregorian, UTC), so chaincode never touches
 * `Date`: ISO dates of activity periods, month slices for the day-occupancy index, and the
 * ISO form of a transaction timestamp.
 */
import { invalid } from './args';

/** A calendar day. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** The days `firstDay..lastDay` (inclusive) of one month `YYYY-MM`. */
export interface MonthSlice {
  month: string;
  firstDay: number;
  lastDay: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS_PER_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Number of days in `month` (1..12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_PER_MONTH[month - 1] ?? 0);
}

/** Parses a real calendar date written `YYYY-MM-DD`. */
export function parseIsoDate(value: unknown, field: string): CivilDate {
  const match = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  if (!match) throw invalid(field, 'must be a date written YYYY-MM-DD');
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  if (date.year < 1000 || date.month < 1 || date.month > 12 || date.day < 1 || date.day > daysInMonth(date.year, date.month)) {
    throw invalid(field, `${String(value)} is not a calendar date`);
  }
  return date;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** `YYYY-MM-DD`. */
export function formatIsoDate(date: CivilDate): string {
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/** `YYYY-MM` of a month. */
export function formatMonth(year: number, month: number): string {
  return `${pad(year, 4)}-${pad(month, 2)}`;
}

/** Days since 1970-01-01 (H. Hinnant's days_from_civil). */
export function epochDay(date: CivilDate): number {
  const y = date.month <= 2 ? date.year - 1 : date.year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthFromMarch = (date.month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + date.day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** The calendar day `days` after 1970-01-01 (H. Hinnant's civil_from_days). */
export function civilDate(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Number of days from `start` to `end`, both included (0 or less when end is before start). */
export function daysInclusive(start: CivilDate, end: CivilDate): number {
  return epochDay(end) - epochDay(start) + 1;
}

/** The months a period touches, in order, each with the days of it the period covers. */
export function monthSlices(start: CivilDate, end: CivilDate): MonthSlice[] {
  const slices: MonthSlice[] = [];
  let { year, month } = start;
  while (year < end.year || (year === end.year && month <= end.month)) {
    const isFirst = year === start.year && month === start.month;
    const isLast = year === end.year && month === end.month;
    slices.push({
      month: formatMonth(year, month),
      firstDay: isFirst ? start.day : 1,
      lastDay: isLast ? end.day : daysInMonth(year, month),
    });
    month = month === 12 ? 1 : month + 1;
    year = month === 1 ? year + 1 : year;
  }
  return slices;
}

/** `YYYY-MM-DDTHH:MM:SS.mmmZ` of a Unix time, like `Date.prototype.toISOString`. */
export function isoTimestamp(seconds: number, nanos: number): string {
  const days = Math.floor(seconds / 86400);
  const secondOfDay = seconds - days * 86400;
  const hh = pad(Math.floor(secondOfDay / 3600), 2);
  const mm = pad(Math.floor((secondOfDay % 3600) / 60), 2);
  const ss = pad(secondOfDay % 60, 2);
  return `${formatIsoDate(civilDate(days))}T${hh}:${mm}:${ss}.${pad(Math.floor(nanos / 1e6), 3)}Z`;
}
