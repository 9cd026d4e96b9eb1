/**
 * The facts a claim takes from the credential subject: the quantity and the activity period, from
 * the fields the protocol names (docs/api.md: never from a separate field of the request).
 */
import type { JsonObject } from './json.js';
import { checked, refuse, type Checked } from './result.js';

/** Longest activity period of one claim, in days (the chaincode enforces the same bound). */
export const MAX_PERIOD_DAYS = 366;

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The subject's quantity: a JSON number that is a safe integer greater than zero. */
export function readQuantity(subject: JsonObject, field: string): Checked<number> {
  const value = subject[field];
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return checked(value);
  return refuse('INVALID_QUANTITY', `credentialSubject.${field} must be a positive whole number in the protocol's base unit`, {
    field,
    value: value ?? null,
  });
}

/** A subject field holding a real calendar date written `YYYY-MM-DD`, with its epoch day. */
function readDate(subject: JsonObject, field: string): { text: string; day: number } | undefined {
  const value = subject[field];
  const match = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  if (typeof value !== 'string' || match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const time = Date.UTC(year, month - 1, day);
  const date = new Date(time);
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? { text: value, day: time / DAY_MS } : undefined;
}

function periodRefusal(message: string, details: JsonObject): Checked<never> {
  return refuse('INVALID_PERIOD', message, details);
}

/** The activity period `[start, end]`, inclusive calendar dates, 1 to {@link MAX_PERIOD_DAYS} days. */
export function readPeriod(subject: JsonObject, fields: { start: string; end: string }): Checked<{ start: string; end: string }> {
  const start = readDate(subject, fields.start);
  const end = readDate(subject, fields.end);
  if (start === undefined || end === undefined) {
    const details = { startField: fields.start, endField: fields.end, start: subject[fields.start] ?? null, end: subject[fields.end] ?? null };
    return periodRefusal(`credentialSubject.${fields.start} and .${fields.end} must be calendar dates written YYYY-MM-DD`, details);
  }
  const days = end.day - start.day + 1;
  const dates = { start: start.text, end: end.text };
  if (days < 1) return periodRefusal(`the activity period ends (${end.text}) before it starts (${start.text})`, dates);
  if (days > MAX_PERIOD_DAYS) {
    return periodRefusal(`the activity period covers ${days} days; at most ${MAX_PERIOD_DAYS} are allowed, split it into several credentials`, {
      ...dates, days, maxDays: MAX_PERIOD_DAYS,
    });
  }
  return checked(dates);
}
