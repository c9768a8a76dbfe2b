import { describe, expect, it } from "vitest";
import { TAB_USER_HEADER } from "@/lib/shared/tab-user";
import { storageOwnerTag, userOfTheTab } from "./storage-owner";

const SECRET = "a-secret-of-at-least-thirty-two-characters";
const alice = { id: "user-alice" };
const bob = { id: "user-bob" };
const fromTabOf = (user: { id: string }) => new Headers({ [TAB_USER_HEADER]: storageOwnerTag(user.id, SECRET) });

describe("userOfTheTab", () => {
  it("hostile: a request from alice's page under bob's session cookie is nobody's", () => {
    expect(userOfTheTab(bob, fromTabOf(alice), SECRET)).toBeNull();
    // A tag made with another secret is nobody's either.
    expect(userOfTheTab(bob, new Headers({ [TAB_USER_HEADER]: storageOwnerTag(bob.id, "another-secret-of-thirty-two-chars!") }), SECRET)).toBeNull();
  });

  it("answers for the session's user when the page is theirs, or says nothing (a share page, a script)", () => {
    expect(userOfTheTab(alice, fromTabOf(alice), SECRET)).toBe(alice);
    expect(userOfTheTab(alice, new Headers(), SECRET)).toBe(alice);
    expect(userOfTheTab(null, fromTabOf(alice), SECRET)).toBeNull();
  });
});
