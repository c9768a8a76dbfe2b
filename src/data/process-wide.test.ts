import { afterEach, describe, expect, it, vi } from "vitest";
import { forgetProcessWide, processWide } from "./process-wide";

afterEach(() => forgetProcessWide("process-wide-test"));

describe("processWide", () => {
  it("gives every copy of a module the value the first copy made, and makes it once", async () => {
    // A built server loads a module once per Next bundle (process-wide.ts); a fresh module registry is another copy.
    const made = { by: "first copy" };
    const create = vi.fn(() => made);
    expect(processWide("process-wide-test", create)).toBe(made);
    vi.resetModules();
    const other = await import("./process-wide");
    expect(other.processWide).not.toBe(processWide);
    expect(other.processWide("process-wide-test", () => ({ by: "second copy" }))).toBe(made);
    expect(processWide("process-wide-test", create)).toBe(made);
    expect(create).toHaveBeenCalledTimes(1);
  });

  it("makes it again once forgotten (tests: a fresh process)", () => {
    const first = processWide("process-wide-test", () => ({}));
    forgetProcessWide("process-wide-test");
    expect(processWide("process-wide-test", () => ({}))).not.toBe(first);
  });
});
