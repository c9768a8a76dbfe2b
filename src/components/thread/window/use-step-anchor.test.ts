import { describe, expect, it } from "vitest";
import { stepElementId, stepIdFromHash } from "./use-step-anchor";

describe("#step- links", () => {
  it("reads the step id from the fragment, escapes undone", () => {
    expect(stepIdFromHash("#step-4f0c2a")).toBe("4f0c2a");
    expect(stepIdFromHash("#step-a%20b")).toBe("a b");
    expect(stepElementId("4f0c2a")).toBe("step-4f0c2a");
  });

  it("anything else names no step", () => {
    for (const hash of ["", "#", "#step-", "#stepx", "#other", "#step-%E0%A4%A"]) expect(stepIdFromHash(hash)).toBeNull();
  });
});
