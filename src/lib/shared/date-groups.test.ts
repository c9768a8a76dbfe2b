import { describe, expect, it } from "vitest";
import { calendarDaysBetween, dateGroupId, dateGroupOf, formatFullDate, formatMonthYear, groupByDate, machineDateTime, relativeAge, toDate } from "./date-groups";

/** Local-time dates: the buckets are about the user's calendar, not UTC. */
const local = (y: number, m: number, d: number, h = 12, min = 0) => new Date(y, m - 1, d, h, min);

describe("dateGroupOf", () => {
  const now = local(2026, 11, 25, 9, 30);

  it("uses local calendar days, not 24-hour spans", () => {
    expect(dateGroupOf(local(2026, 11, 25, 0, 1), now)).toEqual({ kind: "today" });
    expect(dateGroupOf(local(2026, 11, 24, 23, 59), now)).toEqual({ kind: "yesterday" });
    expect(dateGroupOf(local(2026, 11, 24, 0, 0), now)).toEqual({ kind: "yesterday" });
    expect(dateGroupOf(local(2026, 11, 23, 23, 59), now)).toEqual({ kind: "previous7" });
  });

  it("puts the bucket edges at 7 and 30 days", () => {
    expect(dateGroupOf(local(2026, 11, 18), now)).toEqual({ kind: "previous7" });
    expect(dateGroupOf(local(2026, 11, 17), now)).toEqual({ kind: "previous30" });
    expect(dateGroupOf(local(2026, 10, 26), now)).toEqual({ kind: "previous30" });
    expect(dateGroupOf(local(2026, 10, 25), now)).toEqual({ kind: "month", year: 2026, month: 9 });
  });

  it("reads a slightly future timestamp as today and garbage as unknown", () => {
    expect(dateGroupOf(local(2026, 11, 26, 1), now)).toEqual({ kind: "today" });
    expect(dateGroupOf("not a date", now)).toEqual({ kind: "unknown" });
    expect(dateGroupOf(null, now)).toEqual({ kind: "unknown" });
  });

  it("accepts ISO strings (UTC) and judges them in local time", () => {
    const iso = local(2026, 11, 25, 0, 5).toISOString();
    expect(dateGroupOf(iso, now)).toEqual({ kind: "today" });
  });

  it("reads microseconds and a zone-less time as UTC, whatever the reader's zone", () => {
    const at = Date.UTC(2026, 10, 20, 8, 0, 0);
    expect(toDate("2026-11-20T08:00:00.123456Z")?.getTime()).toBe(at + 123);
    expect(toDate("2026-11-20T08:00:00.123456")?.getTime()).toBe(at + 123);
    expect(toDate("2026-11-20T08:00:00Z")?.getTime()).toBe(at);
    expect(machineDateTime("2026-11-20T08:00:00.123456Z")).toBe("2026-11-20T08:00:00.123Z");
    expect(machineDateTime("not a date")).toBe("not a date");
  });

  it("counts calendar days across a month and a year boundary", () => {
    expect(calendarDaysBetween(local(2026, 12, 31, 23), local(2027, 1, 1, 0))).toBe(1);
    expect(calendarDaysBetween(local(2026, 2, 28), local(2026, 3, 1))).toBe(1);
  });

  it("counts calendar days across a DST change as whole days", () => {
    // Whatever the zone, a 23- or 25-hour day is still one day.
    expect(calendarDaysBetween(local(2026, 3, 28, 12), local(2026, 3, 30, 12))).toBe(2);
    expect(calendarDaysBetween(local(2026, 10, 24, 12), local(2026, 10, 26, 12))).toBe(2);
  });
});

describe("groupByDate", () => {
  const now = local(2026, 11, 25, 9, 30);
  const items = [
    { id: "a", at: local(2026, 11, 25, 8) },
    { id: "b", at: local(2026, 11, 25, 7) },
    { id: "c", at: local(2026, 11, 24, 18) },
    { id: "d", at: local(2026, 11, 20) },
    { id: "e", at: local(2026, 11, 1) },
    { id: "f", at: local(2026, 9, 3) },
    { id: "g", at: local(2025, 12, 31) },
    { id: "h", at: local(2026, 10, 2) },
  ];

  it("makes fixed buckets first, then months newest first, keeping input order inside a group", () => {
    const groups = groupByDate(items, (i) => i.at, now);
    expect(groups.map((g) => g.id)).toEqual(["today", "yesterday", "previous7", "previous30", "month-2026-10", "month-2026-09", "month-2025-12"]);
    expect(groups[0]!.items.map((i) => i.id)).toEqual(["a", "b"]);
    expect(groups.map((g) => g.items.length).reduce((a, b) => a + b)).toBe(items.length);
  });

  it("orders groups the same whatever the input order", () => {
    const shuffled = [...items].reverse();
    expect(groupByDate(shuffled, (i) => i.at, now).map((g) => g.id)).toEqual(groupByDate(items, (i) => i.at, now).map((g) => g.id));
  });

  it("puts undated items last", () => {
    const groups = groupByDate([{ at: null }, { at: local(2026, 11, 25) }], (i) => i.at, now);
    expect(groups.map((g) => g.id)).toEqual(["today", "unknown"]);
  });

  it("returns nothing for nothing", () => {
    expect(groupByDate([], () => null, now)).toEqual([]);
  });

  it("names month groups by locale", () => {
    expect(dateGroupId({ kind: "month", year: 2026, month: 10 })).toBe("month-2026-11");
    expect(formatMonthYear(2026, 10, "en")).toBe("November 2026");
    expect(formatMonthYear(2026, 10, "zh-CN")).toBe("2026年11月");
  });
});

describe("relativeAge", () => {
  const now = new Date("2026-11-25T12:00:00Z");
  const ago = (ms: number) => new Date(now.getTime() - ms);
  it.each([
    [30_000, { unit: "now", value: 0 }],
    [5 * 60_000, { unit: "min", value: 5 }],
    [3 * 3600_000 + 59 * 60_000, { unit: "h", value: 3 }],
    [2 * 86_400_000, { unit: "d", value: 2 }],
    [15 * 86_400_000, { unit: "w", value: 2 }],
    [75 * 86_400_000, { unit: "mo", value: 2 }],
    [800 * 86_400_000, { unit: "y", value: 2 }],
  ])("%d ms ago → %o", (ms, expected) => {
    expect(relativeAge(ago(ms), now)).toEqual(expected);
  });

  it("treats the future as now and garbage as null", () => {
    expect(relativeAge(new Date(now.getTime() + 60_000), now)).toEqual({ unit: "now", value: 0 });
    expect(relativeAge("nope", now)).toBeNull();
  });
});

describe("formatFullDate", () => {
  // What a server writes before the browser writes the reader's zone (local-time.tsx): UTC, named, in any server zone.
  it("in UTC, says so, whatever the process's own zone", () => {
    expect(formatFullDate("2026-03-01T20:30:00.000000Z", "en", "UTC")).toMatch(/^Sunday, March 1, 2026(,| at) 8:30\sPM UTC$/);
    expect(formatFullDate("2026-03-01T20:30:00Z", "zh-CN", "UTC")).toContain("2026年3月1日");
    expect(formatFullDate(null, "en", "UTC")).toBe("");
  });
});
