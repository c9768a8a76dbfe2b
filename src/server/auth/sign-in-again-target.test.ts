import { describe, expect, it } from "vitest";
import { signInAgainTarget } from "./sign-in-again-target";

describe("where Sign in again comes back to", () => {
  it("is the page the dialog was opened on, with the parameter that opens it again", () => {
    expect(signInAgainTarget("/threads/abc?x=1")).toBe("/threads/abc?x=1&delete-account=1");
    expect(signInAgainTarget("/threads?delete-account=1")).toBe("/threads?delete-account=1");
  });

  it("is never another site: anything but this app's own path is the thread list", () => {
    for (const hostile of ["https://evil.example/threads", "//evil.example/", "/\\evil.example", "/%2F/evil.example", "javascript:alert(1)", null, ""]) {
      expect(signInAgainTarget(hostile), String(hostile)).toBe("/threads?delete-account=1");
    }
  });
});
