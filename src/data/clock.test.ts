import { afterEach, describe, expect, it, vi } from "vitest";
import { createClock, utcNow } from "./clock";
import { compareTimestamps, timestampMicros } from "./timestamps";

describe("createClock", () => {
  it("is strictly increasing across many calls in the same millisecond, as strings and as instants", () => {
    const clock = createClock(() => Date.UTC(2025, 0, 1, 10, 0, 0, 123)); // a frozen millisecond
    const stamps = Array.from({ length: 5000 }, () => clock());
    expect(stamps[0]).toBe("2025-01-01T10:00:00.123000Z");
    expect(stamps[1]).toBe("2025-01-01T10:00:00.123001Z");
    for (let i = 1; i < stamps.length; i++) {
      expect(stamps[i]! > stamps[i - 1]!).toBe(true);
      expect(compareTimestamps(stamps[i - 1], stamps[i])).toBeLessThan(0);
    }
    // 5000 writes in one millisecond run 4 ms ahead, and no further.
    expect(stamps.at(-1)).toBe("2025-01-01T10:00:00.127999Z");
  });

  it("follows the time source when it moves on, and never goes back when it steps back", () => {
    let now = Date.UTC(2025, 0, 1, 10, 0, 0, 500);
    const clock = createClock(() => now);
    const first = clock();
    now += 2;
    expect(clock()).toBe("2025-01-01T10:00:00.502000Z");
    now -= 60_000; // NTP stepped the clock back a minute
    const afterStep = clock();
    expect(afterStep).toBe("2025-01-01T10:00:00.502001Z");
    expect(afterStep > first).toBe(true);
  });

  it("refuses a time source that returns garbage", () => {
    expect(() => createClock(() => Number.NaN)()).toThrow(RangeError);
  });

  it("utcNow is the system time, in microseconds", () => {
    const before = Date.now() * 1000;
    const stamp = utcNow();
    expect(stamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    const micros = timestampMicros(stamp)!;
    expect(micros).toBeGreaterThanOrEqual(before);
    expect(utcNow() > stamp).toBe(true);
  });

  it("hostile: utcNow of another copy of this module (a built server holds several) continues the same sequence, no tie", async () => {
    // The data layer runs the startup hook's copy of this module and the chat the routes' one (process-wide.ts); a
    // fresh module registry is such a copy. Within one millisecond, writes of the two must still be strictly ordered.
    vi.resetModules();
    const other = await import("./clock");
    expect(other.createClock).not.toBe(createClock);
    // One millisecond, frozen at now (not ahead: the sequence is the process's, and later tests here use it too).
    vi.spyOn(Date, "now").mockReturnValue(Date.now());
    const stamps = [utcNow(), other.utcNow(), utcNow(), other.utcNow()];
    for (let i = 1; i < stamps.length; i++) expect(compareTimestamps(stamps[i - 1], stamps[i]), stamps.join(" ")).toBeLessThan(0);
  });
});

afterEach(() => vi.restoreAllMocks());
