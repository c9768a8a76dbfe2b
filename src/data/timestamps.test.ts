import { describe, expect, it } from "vitest";
import { compareTimestamps, isoFromMicros, sortByTimestamps, timestampDate, timestampMicros, timestampMicrosByPattern } from "./timestamps";

const base = Date.UTC(2025, 0, 1, 10, 0, 0) * 1000;

describe("timestampMicros", () => {
  it.each([
    ["2025-01-01T10:00:00.123456Z", base + 123_456], // Threadbook now, Chainlit's steps
    ["2025-01-01T10:00:00.123Z", base + 123_000], // Threadbook before, browser user messages
    ["2025-01-01T10:00:00Z", base], // Chainlit's isoformat() when the microsecond is 0
    ["2025-01-01T10:00:00.123456", base + 123_456], // utcnow().isoformat(): no zone means UTC
    ["2025-01-01T10:00:00.123456+00:00", base + 123_456],
    ["2025-01-01T12:00:00.5+02:00", base + 500_000],
    ["2025-01-01T05:30:00-04:30", base],
    ["2025-01-01 10:00:00.1234567Z", base + 123_456], // digits past the microsecond are cut, not rounded
    ["2025-01-01", Date.UTC(2025, 0, 1) * 1000],
    ["0050-06-01T00:00:00Z", new Date("0050-06-01T00:00:00Z").getTime() * 1000],
  ])("%s", (value, micros) => expect(timestampMicros(value)).toBe(micros));

  it.each([["yesterday"], [""], ["2025-13-01T00:00:00Z"], ["2025-04-31T00:00:00Z"], ["2025-01-01T24:00:00Z"], ["2025-01-01T10:00:00.Z"], [null], [42]])(
    "rejects %j",
    (value) => expect(timestampMicros(value)).toBeNull(),
  );

  it("reads the common shapes without the pattern, to exactly the pattern's result", () => {
    // Valid and invalid dates and times (leap days, 24:00, month 13), every fraction length, with and without Z,
    // and near misses of the shape the fast reading takes (they go to the pattern, which accepts or rejects them).
    const dates = ["2024-02-29", "2025-02-29", "2025-12-31", "1970-01-01", "0000-03-01", "9999-12-31", "2025-13-01", "2025-00-10", "2025-04-31", "2025-04-00"];
    const times = ["T00:00:00", "T23:59:59", "T24:00:00", "T12:60:00", "T12:00:60", "t10:00:00", " 10:00:00", "T1:00:00", "T10:00"];
    const fractions = ["", ".1", ",5", ".123", ".123456", ".1234567", ".123456789", ".1234567890", ".", ".12a", ".-1"];
    const zones = ["", "Z", "z", "+00:00", "-04:30", "+0530", " ", "ZZ"];
    const values = dates.flatMap((d) => times.flatMap((t) => fractions.flatMap((f) => zones.map((z) => d + t + f + z))));
    values.push("2025-01-01T10:00:00.5Z ", " 2025-01-01T10:00:00Z", "+025-01-01T10:00:00Z", "2025-01-01T10:00:0Z", "2025-01-01X10:00:00Z", "２０２５-01-01T10:00:00Z");
    const differing = values.filter((value) => timestampMicros(value) !== timestampMicrosByPattern(value));
    expect(differing).toEqual([]);
    expect(values.filter((value) => timestampMicros(value) !== null).length).toBeGreaterThan(500);
  });

  it("reads what Date reads, to the millisecond", () => {
    expect(timestampDate("2025-01-01T10:00:00.123456Z")?.toISOString()).toBe("2025-01-01T10:00:00.123Z");
    expect(timestampDate("2025-01-01T10:00:00")?.toISOString()).toBe("2025-01-01T10:00:00.000Z");
  });
});

describe("mixed formats", () => {
  it("string order gets them wrong; compareTimestamps does not", () => {
    const ms = "2025-01-01T10:00:00.123Z";
    const us = "2025-01-01T10:00:00.123456Z";
    const whole = "2025-01-01T10:00:01Z";
    const justAfter = "2025-01-01T10:00:01.000001Z";
    // The trap this module exists for: 'Z' > '4' and 'Z' > '.'.
    expect(ms > us).toBe(true);
    expect(whole > justAfter).toBe(true);
    const sorted = [justAfter, whole, us, ms, "2025-01-01T10:00:00.122999"].sort(compareTimestamps);
    expect(sorted).toEqual(["2025-01-01T10:00:00.122999", ms, us, whole, justAfter]);
  });

  it("puts missing or unreadable values first, in a total order", () => {
    expect(["2025-01-01T00:00:00Z", null, "b", "a"].sort(compareTimestamps)).toEqual([null, "a", "b", "2025-01-01T00:00:00Z"]);
    expect(compareTimestamps(undefined, "2025-01-01T00:00:00Z")).toBeLessThan(0);
    expect(compareTimestamps("2025-01-01T10:00:00.123Z", "2025-01-01T10:00:00.123000Z")).toBe(0);
  });
});

describe("sortByTimestamps", () => {
  // Every format both apps write, unreadable values and ties, in an order that is neither sorted nor reversed.
  const rows = [
    ["2025-01-01T10:00:00.123Z", "b"],
    [null, "a"],
    ["2025-01-01T10:00:00Z", null],
    ["yesterday", "c"],
    ["2025-01-01T10:00:00.123456Z", "2025-01-01T10:00:01Z"],
    ["2025-01-01T10:00:00.123000Z", "2025-01-01T10:00:00Z"],
    [undefined, null],
    ["2025-01-01T12:00:00.5+02:00", "x"],
    ["2025-01-01T10:00:00.5Z", "2025-01-01T09:00:00Z"],
    ["", "z"],
    ["2025-01-01T10:00:00.123Z", "a"],
  ].map(([createdAt, start], i) => ({ i, createdAt, start }));

  it("gives exactly the order of a sort with compareTimestamps, stable on ties", () => {
    const expected = [...rows].sort((a, b) => compareTimestamps(a.createdAt, b.createdAt) || compareTimestamps(a.start, b.start));
    const sorted = sortByTimestamps(rows, (row) => row.createdAt, (row) => row.start);
    expect(sorted.map((row) => row.i)).toEqual(expected.map((row) => row.i));
    expect(sorted.map((row) => row.i).slice(0, 4)).toEqual([6, 1, 9, 3]);
  });

  it("reads a later field only for items that tie on the ones before", () => {
    const starts: string[] = [];
    const rows = [
      { id: "b", createdAt: "2025-01-01T10:00:02Z", start: "s-b" },
      { id: "tie-2", createdAt: "2025-01-01T10:00:01Z", start: "2025-01-01T10:00:09Z" },
      { id: "tie-1", createdAt: "2025-01-01T10:00:01.000Z", start: "2025-01-01T10:00:08Z" },
      { id: "a", createdAt: "2025-01-01T10:00:00Z", start: "s-a" },
    ];
    const sorted = sortByTimestamps(rows, (row) => row.createdAt, (row) => (starts.push(row.id), row.start));
    expect(sorted.map((row) => row.id)).toEqual(["a", "tie-1", "tie-2", "b"]);
    expect(starts.sort()).toEqual(["tie-1", "tie-2"]);
  });

  it("reads each value once, whatever the number of comparisons", () => {
    const reads: string[] = [];
    const many = Array.from({ length: 200 }, (_, i) => ({ createdAt: isoFromMicros(base + ((i * 7919) % 200) * 1000) }));
    const sorted = sortByTimestamps(many, (row) => (reads.push(row.createdAt), row.createdAt));
    expect(reads).toHaveLength(200);
    expect(sorted.map((row) => row.createdAt)).toEqual([...many].map((row) => row.createdAt).sort());
  });
});

describe("isoFromMicros", () => {
  it("always writes six digits, so its own values sort as strings", () => {
    expect(isoFromMicros(base)).toBe("2025-01-01T10:00:00.000000Z");
    expect(isoFromMicros(base + 7)).toBe("2025-01-01T10:00:00.000007Z");
    expect(isoFromMicros(base + 123_456)).toBe("2025-01-01T10:00:00.123456Z");
    expect(timestampMicros(isoFromMicros(base + 999_999))).toBe(base + 999_999);
  });

  it("refuses what is not a whole number of microseconds", () => {
    expect(() => isoFromMicros(1.5)).toThrow(RangeError);
    expect(() => isoFromMicros(Number.NaN)).toThrow(RangeError);
  });
});

describe("timestampMicros without Date", () => {
  /** What it computed through Date before: the reference the arithmetic must equal. */
  const throughDate = (year: number, month: number, day: number, hour: number, minute: number, second: number) => {
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    if (date.getUTCDate() !== day) return null;
    date.setUTCHours(hour, minute, second, 0);
    return date.getTime() * 1000;
  };
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");

  it("equals Date's reading for every day of leap and common years, centuries and year 0", () => {
    for (const year of [0, 1, 4, 99, 100, 400, 1600, 1900, 1969, 1970, 2000, 2024, 2025, 2100, 9999]) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 1; day <= 31; day++) {
          const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}T23:59:58.000001Z`;
          const expected = throughDate(year, month, day, 23, 59, 58);
          expect(timestampMicros(text), text).toBe(expected === null ? null : expected + 1);
        }
      }
    }
  });

  it("rejects 29 February outside leap years only", () => {
    expect(timestampMicros("2024-02-29T00:00:00Z")).not.toBeNull();
    expect(timestampMicros("2000-02-29T00:00:00Z")).not.toBeNull();
    expect(timestampMicros("1900-02-29T00:00:00Z")).toBeNull();
    expect(timestampMicros("2025-02-29T00:00:00Z")).toBeNull();
  });
});
