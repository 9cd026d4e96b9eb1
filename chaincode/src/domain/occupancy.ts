/**
 * The day-occupancy index that forbids double counting. One bucket per (category, subject
 * pseudonym, month) maps each occupied day of the month (`"01"`..`"31"`) to the live claim that
 * covers it, so a one-year claim touches at most 13 buckets and different subjects never share one.
 */
import { ChaincodeError } from '../errors';
import type { MonthSlice } from './calendar';

/** Occupied days of one month: day of month (`"01"`..`"31"`) -> claim id. */
export type DayBucket = Readonly<Record<string, string>>;

/** The first day a claim would count twice, and the live claim already covering it. */
export interface DayConflict {
  conflictingClaimId: string;
  day: string;
}

/** Key of a day inside a bucket: two digits, so sorted keys are in day order. */
export function dayKey(day: number): string {
  return String(day).padStart(2, '0');
}

function daysOf(slice: MonthSlice): number[] {
  const days: number[] = [];
  for (let day = slice.firstDay; day <= slice.lastDay; day++) days.push(day);
  return days;
}

/** The first day of `slice` held by a claim other than `claimId`. */
export function firstConflict(bucket: DayBucket | undefined, slice: MonthSlice, claimId: string): DayConflict | undefined {
  for (const day of daysOf(slice)) {
    const holder = bucket?.[dayKey(day)];
    if (holder !== undefined && holder !== claimId) return { conflictingClaimId: holder, day: `${slice.month}-${dayKey(day)}` };
  }
  return undefined;
}

/** The first day of `slice` that `claimId` does not hold (undefined when it holds them all). */
export function firstDayNotHeld(bucket: DayBucket | undefined, slice: MonthSlice, claimId: string): string | undefined {
  const day = daysOf(slice).find((d) => bucket?.[dayKey(d)] !== claimId);
  return day === undefined ? undefined : `${slice.month}-${dayKey(day)}`;
}

/** The bucket with the days of `slice` held by `claimId`. */
export function occupy(bucket: DayBucket | undefined, slice: MonthSlice, claimId: string): DayBucket {
  const next: Record<string, string> = { ...bucket };
  for (const day of daysOf(slice)) next[dayKey(day)] = claimId;
  return next;
}

/** The bucket without the days of `slice` that `claimId` held; undefined when nothing is left. */
export function release(bucket: DayBucket | undefined, slice: MonthSlice, claimId: string): DayBucket | undefined {
  const next: Record<string, string> = {};
  for (const key of Object.keys(bucket ?? {}).sort()) {
    const holder = bucket?.[key];
    const inSlice = Number(key) >= slice.firstDay && Number(key) <= slice.lastDay;
    if (holder !== undefined && !(inSlice && holder === claimId)) next[key] = holder;
  }
  return Object.keys(next).length === 0 ? undefined : next;
}

/** The first conflict across a claim's month slices (buckets given in the same order). */
export function findConflict(buckets: readonly (DayBucket | undefined)[], slices: readonly MonthSlice[], claimId: string): DayConflict | undefined {
  for (const [i, slice] of slices.entries()) {
    const conflict = firstConflict(buckets[i], slice, claimId);
    if (conflict) return conflict;
  }
  return undefined;
}

/** The DOUBLE_COUNTING refusal naming the conflicting claim and the first overlapping day. */
export function doubleCounting(conflict: DayConflict, category: string): ChaincodeError {
  return new ChaincodeError(
    'DOUBLE_COUNTING',
    `the subject is already counted on ${conflict.day} for category ${category} by live claim ${conflict.conflictingClaimId}`,
    { conflictingClaimId: conflict.conflictingClaimId, day: conflict.day, category },
  );
}

/** The first day of the claim's period it no longer holds (validation re-checks uniqueness). */
export function findLostDay(buckets: readonly (DayBucket | undefined)[], slices: readonly MonthSlice[], claimId: string): DayConflict | undefined {
  for (const [i, slice] of slices.entries()) {
    const day = firstDayNotHeld(buckets[i], slice, claimId);
    if (day !== undefined) return { conflictingClaimId: buckets[i]?.[day.slice(8)] ?? 'none', day };
  }
  return undefined;
}
