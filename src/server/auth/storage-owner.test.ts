import { describe, expect, it } from "vitest";
import { TAB_USER_HEADER, TAB_USER_PARAM } from "@/lib/shared/tab-user";
import { storageOwnerTag, userOfTheTab } from "./storage-owner";

const SECRET = "a-secret-of-at-least-thirty-two-characters";
const alice = { id: "user-alice" };
const bob = { id: "user-bob" };
const ENDPOINT = "http://localhost/api/trpc/threads.list";
const fromTabOf = (user: { id: string }, secret = SECRET) => new Request(ENDPOINT, { headers: { [TAB_USER_HEADER]: storageOwnerTag(user.id, secret) } });
/** A navigation (Export all) says it in its address. */
const navigationFromTabOf = (user: { id: string }) => new Request(`http://localhost/api/export?${TAB_USER_PARAM}=${storageOwnerTag(user.id, SECRET)}`);

describe("userOfTheTab", () => {
  it("hostile: a request from alice's page under bob's session cookie is nobody's", () => {
    expect(userOfTheTab(bob, fromTabOf(alice), SECRET)).toBeNull();
    expect(userOfTheTab(bob, navigationFromTabOf(alice), SECRET)).toBeNull();
    // A tag made with another secret is nobody's either.
    expect(userOfTheTab(bob, fromTabOf(bob, "another-secret-of-thirty-two-chars!"), SECRET)).toBeNull();
  });

  it("answers for the session's user when the page is theirs, or says nothing (a share page, a script)", () => {
    expect(userOfTheTab(alice, fromTabOf(alice), SECRET)).toBe(alice);
    expect(userOfTheTab(alice, navigationFromTabOf(alice), SECRET)).toBe(alice);
    expect(userOfTheTab(alice, new Request(ENDPOINT), SECRET)).toBe(alice);
    expect(userOfTheTab(null, fromTabOf(alice), SECRET)).toBeNull();
  });
});
