/**
 * Thread-list buckets by LOCAL calendar day, as Chainlit's ThreadList does (docs/chainlit.md, "Thread list"): Today,
 * Yesterday, Previous 7 days, Previous 30 days, then one group per month, newest first. Pure: `now` is passed in,
 * so the tests (and the 60 s clock in the UI) decide what "today" is.
 */
import { timestampDate } from "@/data/timestamps";

export type DateGroupKey =
  | { kind: "today" }
  | { kind: "yesterday" }
  | { kind: "previous7" }
  | { kind: "previous30" }
  | { kind: "month"; year: number; month: number }
  | { kind: "unknown" };

export interface DateGroup<T> {
  /** Stable and unique per group: "today", "month-2026-10", … (React keys, test ids). */
  id: string;
  key: DateGroupKey;
  items: T[];
}

const DAY_MS = 86_400_000;

/** Whole local calendar days from `from` to `to` (DST-safe: both days are taken at UTC midnight). */
export function calendarDaysBetween(from: Date, to: Date): number {
  const a = Date.UTC(from.getFullYear(), from.getMonth(), from.getDate());
  const b = Date.UTC(to.getFullYear(), to.getMonth(), to.getDate());
  return Math.round((b - a) / DAY_MS);
}

/**
 * Strings are read as stored timestamps (timestamps.ts): microseconds, Chainlit's zone-less UTC and whole seconds
 * included, the same in every browser (`new Date` reads a zone-less time as local and is loose about the rest).
 */
export function toDate(value: string | number | Date | null | undefined): Date | null {
  if (value === null || value === undefined || value === "") return null;
  const date = typeof value === "string" ? timestampDate(value) : value instanceof Date ? value : new Date(value);
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

/** The value for a `<time dateTime>` attribute: HTML allows at most three fraction digits, so microseconds are cut. */
export function machineDateTime(value: string | null | undefined): string | undefined {
  return toDate(value)?.toISOString() ?? value ?? undefined;
}

export function dateGroupOf(value: string | number | Date | null | undefined, now: Date): DateGroupKey {
  const date = toDate(value);
  if (!date) return { kind: "unknown" };
  const days = calendarDaysBetween(date, now);
  // A clock a little ahead of ours (days < 0) still reads as today.
  if (days <= 0) return { kind: "today" };
  if (days === 1) return { kind: "yesterday" };
  if (days <= 7) return { kind: "previous7" };
  if (days <= 30) return { kind: "previous30" };
  return { kind: "month", year: date.getFullYear(), month: date.getMonth() };
}

export function dateGroupId(key: DateGroupKey): string {
  return key.kind === "month" ? `month-${key.year}-${String(key.month + 1).padStart(2, "0")}` : key.kind;
}

const FIXED_ORDER = { today: 0, yesterday: 1, previous7: 2, previous30: 3 } as const;

function rank(key: DateGroupKey): number {
  if (key.kind === "month") return 10 + (9999 - key.year) * 12 + (11 - key.month);
  if (key.kind === "unknown") return Number.MAX_SAFE_INTEGER;
  return FIXED_ORDER[key.kind];
}

/**
 * Groups in display order (fixed buckets, then months newest first, then undated); items keep their input order
 * inside a group, so the server's order (updatedAt descending) is what the user sees.
 */
export function groupByDate<T>(items: readonly T[], dateOf: (item: T) => string | number | Date | null | undefined, now: Date): DateGroup<T>[] {
  const groups = new Map<string, DateGroup<T>>();
  for (const item of items) {
    const key = dateGroupOf(dateOf(item), now);
    const id = dateGroupId(key);
    let group = groups.get(id);
    if (!group) {
      group = { id, key, items: [] };
      groups.set(id, group);
    }
    group.items.push(item);
  }
  return [...groups.values()].sort((a, b) => rank(a.key) - rank(b.key));
}

/**
 * One formatter per locale and style, kept: building an Intl.DateTimeFormat costs far more than formatting with it,
 * and a thread page formats two times per message and one per sidebar row (it showed in a profile of hydration).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, style: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}\n${style}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(locale, options);
    // Locales come from a cookie or Accept-Language: bounded, so a client cannot grow the map without end.
    if (formatters.size >= 64) formatters.clear();
    formatters.set(key, found);
  }
  return found;
}

/** "November 2026" / "2026年11月". */
export function formatMonthYear(year: number, month: number, locale: string): string {
  return formatter(locale, "month-year", { year: "numeric", month: "long" }).format(new Date(year, month, 1));
}

export type RelativeUnit = "now" | "min" | "h" | "d" | "w" | "mo" | "y";

/** The compact age shown in a row ("3 h", "2 d"): the largest unit that fits, rounded down. */
export function relativeAge(value: string | number | Date | null | undefined, now: Date): { unit: RelativeUnit; value: number } | null {
  const date = toDate(value);
  if (!date) return null;
  const seconds = Math.max(0, (now.getTime() - date.getTime()) / 1000);
  if (seconds < 60) return { unit: "now", value: 0 };
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return { unit: "min", value: minutes };
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return { unit: "h", value: hours };
  const days = Math.floor(hours / 24);
  if (days < 7) return { unit: "d", value: days };
  if (days < 30) return { unit: "w", value: Math.floor(days / 7) };
  if (days < 365) return { unit: "mo", value: Math.max(1, Math.floor(days / 30.44)) };
  return { unit: "y", value: Math.floor(days / 365.25) };
}

/**
 * The full date for a `title` tooltip: "Wednesday, November 25, 2026 at 3:04 PM", in the zone of whoever formats it.
 * With `"UTC"`, in UTC and saying so ("… 3:04 PM UTC"): what a server, which knows no reader's zone, can write
 * without being wrong (local-time.tsx).
 */
export function formatFullDate(value: string | number | Date | null | undefined, locale: string, timeZone?: "UTC"): string {
  const date = toDate(value);
  if (!date) return "";
  if (timeZone === "UTC") {
    // dateStyle and timeStyle take no timeZoneName: the same parts, named one by one.
    return formatter(locale, "full-utc", { weekday: "long", year: "numeric", month: "long", day: "numeric", hour: "numeric", minute: "2-digit", timeZone, timeZoneName: "short" }).format(date);
  }
  return formatter(locale, "full", { dateStyle: "full", timeStyle: "short" }).format(date);
}

/** A message's short time: "3:04 PM" today, "Nov 24, 3:04 PM" before. */
export function formatShortDateTime(value: string | number | Date | null | undefined, now: Date, locale: string): string {
  const date = toDate(value);
  if (!date) return "";
  const sameDay = calendarDaysBetween(date, now) === 0;
  const sameYear = date.getFullYear() === now.getFullYear();
  const style = sameDay ? "time" : sameYear ? "short" : "short-year";
  return formatter(locale, style, sameDay ? { timeStyle: "short" } : { month: "short", day: "numeric", ...(sameYear ? {} : { year: "numeric" }), hour: "numeric", minute: "2-digit" }).format(date);
}
