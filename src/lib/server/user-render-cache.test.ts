import { describe, expect, it } from "vitest";
import { createUserRenderCache } from "./user-render-cache";

describe("createUserRenderCache", () => {
  it("finds an entry only in the compartment of the user it was made for (hostile: same text, another user)", () => {
    const cache = createUserRenderCache<string>();
    cache.forUser("alice@example.com").set("markdown", "**secret plan**", "alice's render");
    expect(cache.forUser("alice@example.com").get("markdown", "**secret plan**")).toBe("alice's render");
    expect(cache.forUser("mallory@example.com").get("markdown", "**secret plan**")).toBeUndefined();
    // Ids that would run together if the key were a plain concatenation stay apart.
    expect(cache.forUser("alice@example.com\u0000markdown").get("", "**secret plan**")).toBeUndefined();
    expect(cache.forUser("alice@example.com\u00008:markdown").get("json", "**secret plan**")).toBeUndefined();
    expect(cache.forUser("alice@example.com").get("json", "**secret plan**")).toBeUndefined();
  });

  it("keeps at most maxEntries and maxChars, dropping the least recently used first", () => {
    const cache = createUserRenderCache<number>({ maxEntries: 3, maxChars: 1_000 });
    const user = cache.forUser("u");
    for (const [i, text] of ["a", "b", "c"].entries()) user.set("markdown", text, i);
    expect(user.get("markdown", "a")).toBe(0); // a is now the most recently used
    user.set("markdown", "d", 3);
    expect(user.get("markdown", "b")).toBeUndefined();
    expect([user.get("markdown", "a"), user.get("markdown", "c"), user.get("markdown", "d")]).toEqual([0, 2, 3]);
    expect(cache.size()).toEqual({ entries: 3, chars: 3 });

    const small = createUserRenderCache<number>({ maxChars: 10 });
    small.forUser("u").set("markdown", "x".repeat(6), 1);
    small.forUser("v").set("markdown", "y".repeat(6), 2);
    expect(small.size()).toEqual({ entries: 1, chars: 6 });
    expect(small.forUser("v").get("markdown", "y".repeat(6))).toBe(2);
  });

  it("never keeps a text over maxEntryChars, and counts a replaced entry once", () => {
    const cache = createUserRenderCache<number>({ maxEntryChars: 5 });
    cache.forUser("u").set("markdown", "123456", 1);
    expect(cache.forUser("u").get("markdown", "123456")).toBeUndefined();
    cache.forUser("u").set("markdown", "12345", 1);
    cache.forUser("u").set("markdown", "12345", 2);
    expect(cache.size()).toEqual({ entries: 1, chars: 5 });
    expect(cache.forUser("u").get("markdown", "12345")).toBe(2);
  });
});
