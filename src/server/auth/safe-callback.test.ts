import { describe, expect, it } from "vitest";
import { DEFAULT_AFTER_SIGN_IN, safeCallbackPath } from "./safe-callback";

const ORIGIN = "http://localhost:3000";

describe("safeCallbackPath (hostile)", () => {
  it("follows the app's own paths, with their query and fragment", () => {
    for (const path of ["/threads", "/threads/abc-123", "/threads?feedback=1", "/threads?search=a%20b#top", "/"]) {
      expect(safeCallbackPath(path)).toBe(path);
      expect(safeCallbackPath(path, ORIGIN)).toBe(path);
    }
    expect(safeCallbackPath(`${ORIGIN}/threads/abc?x=1`, ORIGIN)).toBe("/threads/abc?x=1");
  });

  it("lands every other origin, however disguised, on the thread list", () => {
    const hostile = [
      "//evil.example",
      "//evil.example/threads",
      "/\\evil.example",
      "\\\\evil.example",
      "/%09/evil.example",
      "/%0a/evil.example",
      "/%2F/evil.example",
      "/%2f%2fevil.example",
      "/%5Cevil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      "/ /evil.example",
      "https://evil.example",
      "https://evil.example/threads",
      "http://localhost:3000.evil.example/",
      "http://localhost:3001/threads",
      "javascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "evil.example",
      "/%E0%A4%A",
      "",
      `/${"a".repeat(3000)}`,
    ];
    for (const value of hostile) {
      expect(safeCallbackPath(value, ORIGIN), JSON.stringify(value)).toBe(DEFAULT_AFTER_SIGN_IN);
      expect(safeCallbackPath(value), JSON.stringify(value)).toBe(DEFAULT_AFTER_SIGN_IN);
    }
    for (const value of [undefined, null, 42, ["/threads"], { url: "/threads" }]) expect(safeCallbackPath(value)).toBe(DEFAULT_AFTER_SIGN_IN);
  });
});
