/**
 * Reading the timestamps both apps write, as one kind of value. Pure and dependency-free, so the browser code
 * (step order, dates on screen) reads them exactly as the server does.
 *
 * What is in a shared table:
 * - Threadbook now: `2025-01-01T10:00:00.123456Z` (microseconds, UTC; clock.ts).
 * - Threadbook before: `2025-01-01T10:00:00.123Z` (milliseconds).
 * - Chainlit: `datetime.isoformat() + "Z"`, so microseconds, and NO fraction at all when the microsecond is 0
 *   (`2025-01-01T10:00:00Z`); its thread times are local time labelled `Z` (nothing can tell them apart); user
 *   messages carry the browser's `toISOString()` (milliseconds); older versions wrote `+00:00` or no zone (UTC).
 *
 * As strings these do not sort: `…00.123Z` > `…00.123456Z` ('Z' > '4') and `…00Z` > `…00.5Z`. Compare them with
 * `compareTimestamps`, which compares the instants.
 */

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Microseconds since the epoch, or null for anything that is not an ISO-8601 date(-time). A time without a zone is
 * UTC (Chainlit's `utcnow().isoformat()`), not the reader's local time as `Date.parse` would take it.
 */
export function timestampMicros(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const fast = readCommonShape(value);
  return fast === undefined ? timestampMicrosByPattern(value) : fast;
}

/** The reading of every accepted shape, by the regular expression (timestampMicros takes the common ones faster). */
export function timestampMicrosByPattern(value: string): number | null {
  const match = PATTERN.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", zone] = match;
  return microsOf(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), Number(fraction.padEnd(6, "0").slice(0, 6)), offsetMinutes(zone));
}

const digitAt = (value: string, index: number) => {
  const digit = value.charCodeAt(index) - 48;
  return digit >= 0 && digit <= 9 ? digit : Number.NaN;
};
const twoDigits = (value: string, index: number) => digitAt(value, index) * 10 + digitAt(value, index + 1);

/**
 * What both apps write for steps, read without the regular expression and its allocations (every thread view
 * parses each step's times, 30,000 values for a 10,000-step thread): `YYYY-MM-DDTHH:MM:SS`, then optionally `.` or
 * `,` and 1–9 digits, then `Z` or nothing. Undefined for any other shape (offsets, spaces, a date alone): the
 * pattern reads those. Same result as the pattern for every value it takes (timestamps.test.ts compares them).
 */
function readCommonShape(value: string): number | null | undefined {
  const length = value.length;
  if (length < 19 || value[4] !== "-" || value[7] !== "-" || value[10] !== "T" || value[13] !== ":" || value[16] !== ":") return undefined;
  let end = length;
  const last = value[length - 1];
  if (last === "Z" || last === "z") end--;
  let micros = 0;
  if (end > 19) {
    const digits = end - 20;
    if ((value[19] !== "." && value[19] !== ",") || digits < 1 || digits > 9) return undefined;
    for (let i = 0; i < digits; i++) {
      const digit = digitAt(value, 20 + i);
      if (Number.isNaN(digit)) return undefined;
      if (i < 6) micros += digit * 10 ** (5 - i);
    }
  } else if (end < 19) return undefined;
  const year = digitAt(value, 0) * 1000 + digitAt(value, 1) * 100 + twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  const second = twoDigits(value, 17);
  if (Number.isNaN(year + month + day + hour + minute + second)) return undefined;
  return microsOf(year, month, day, hour, minute, second, micros, 0);
}

/** The instant of a read date and time, or null when a field is out of range (the 31st of April, 24:00). */
function microsOf(year: number, month: number, day: number, hour: number, minute: number, second: number, micros: number, offset: number): number | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  const seconds = daysSinceEpoch(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second;
  return seconds * 1_000_000 + micros - offset * 60_000_000;
}

/*
 * The calendar by arithmetic, not through Date: every sort of a thread's steps parses each timestamp, and on the
 * server Next wraps Date (to spot time-dependent rendering), which made two Date calls per value a visible share of
 * a long thread page's CPU (bench/HISTORY.md, "The thread page's server cost, second pass"). Proleptic Gregorian, as
 * Date is, for the years 0000–9999 the pattern admits.
 */
const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
const daysInMonth = (year: number, month: number) => (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!);

/** Days from 1970-01-01 to the date (Howard Hinnant's days_from_civil). */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function offsetMinutes(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === "Z") return 0;
  const digits = zone.slice(1).replace(":", "");
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0");
  return zone.startsWith("-") ? -minutes : minutes;
}

/** The instant as a Date (millisecond precision), or null: what display code formats. */
export function timestampDate(value: unknown): Date | null {
  const micros = timestampMicros(value);
  return micros === null ? null : new Date(Math.floor(micros / 1000));
}

/**
 * Oldest first by instant, whatever the format. A missing or unreadable value sorts before every readable one
 * (Chainlit's phantom steps have no createdAt), and two of those compare as strings so the order stays total.
 */
export function compareTimestamps(a: string | null | undefined, b: string | null | undefined): number {
  return compareRead(read(a), read(b));
}

/** A value as compareTimestamps sees it: its instant if readable, and the text for two unreadable ones. */
type ReadTimestamp = { micros: number | null; text: string };
const read = (value: string | null | undefined): ReadTimestamp => ({ micros: timestampMicros(value), text: value ?? "" });

function compareRead(a: ReadTimestamp, b: ReadTimestamp): number {
  if (a.micros !== null && b.micros !== null) return a.micros - b.micros;
  if (a.micros !== null) return 1;
  if (b.micros !== null) return -1;
  return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
}

/**
 * `items` sorted (stably) by compareTimestamps over each of `fields` in turn, each value read once. Sorting with
 * compareTimestamps itself reads both values on every comparison: for a 10,000-step thread that was ~270,000 regular
 * expression matches per read, half the server's CPU for opening the thread (bench/HISTORY.md, "Long threads: attributed").
 */
export function sortByTimestamps<T>(items: readonly T[], ...fields: Array<(item: T) => string | null | undefined>): T[] {
  // The first field's instant is kept as a plain number (NaN when unreadable) and compared directly: that decides
  // almost every comparison. The fields after it are read only for items that tie on it (steps almost never do).
  const keyed = items.map((item) => {
    const first = read(fields[0]!(item));
    return { item, first: first.micros ?? Number.NaN, keys: [first] };
  });
  const key = (entry: (typeof keyed)[number], i: number) => (entry.keys[i] ??= read(fields[i]!(entry.item)));
  keyed.sort((a, b) => {
    if (a.first !== b.first && !Number.isNaN(a.first) && !Number.isNaN(b.first)) return a.first - b.first;
    for (let i = 0; i < fields.length; i++) {
      const order = compareRead(key(a, i), key(b, i));
      if (order !== 0) return order;
    }
    return 0;
  });
  return keyed.map((entry) => entry.item);
}

/** `2025-01-01T10:00:00.123456Z` for microseconds since the epoch: fixed width, so Threadbook's own values sort as strings. */
export function isoFromMicros(micros: number): string {
  if (!Number.isSafeInteger(micros)) throw new RangeError("timestamp: microseconds must be a safe integer");
  const millis = Math.floor(micros / 1000);
  const rest = micros - millis * 1000;
  return `${new Date(millis).toISOString().slice(0, 23)}${String(rest).padStart(3, "0")}Z`;
}
