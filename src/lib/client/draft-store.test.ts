import { afterEach, describe, expect, it, vi } from "vitest";
import { MESSAGE_MAX } from "@/server/chat/composer-settings";
import { fakeBrowser } from "../../../test/browser-storage";
import { MAX_DRAFT_CHARS, MAX_DRAFTS, parseDrafts, withDraft, type Drafts } from "./draft-store";

/** A fresh page load: the modules' state is new, the browser's storage is the same. */
async function freshPage() {
  vi.resetModules();
  const state = await import("./client-state");
  const drafts = await import("./draft-store");
  return { ...state, ...drafts };
}

/** A page signed in as `who` (its tag: `tag-of-<who>`), in the browser stubbed as `window`. */
async function signedIn(who: string) {
  const page = await freshPage();
  page.claimClientState(`${who}@example.com`, `tag-of-${who}`);
  return page;
}

afterEach(() => vi.unstubAllGlobals());

describe("draft bounds", () => {
  it("keeps no more of a draft than a message can hold", () => {
    expect(MAX_DRAFT_CHARS).toBe(MESSAGE_MAX);
    const drafts = withDraft({}, "t1", "x".repeat(MAX_DRAFT_CHARS + 50), 1);
    expect(drafts.t1!.text).toHaveLength(MAX_DRAFT_CHARS);
  });

  it("drops the oldest draft past MAX_DRAFTS, and one written again counts as new", () => {
    let drafts: Drafts = {};
    for (let i = 0; i < MAX_DRAFTS; i++) drafts = withDraft(drafts, `t${i}`, `text ${i}`, i);
    // The oldest is typed in again: the second oldest goes when one more comes.
    drafts = withDraft(drafts, "t0", "text 0 again", MAX_DRAFTS);
    drafts = withDraft(drafts, "extra", "one more", MAX_DRAFTS + 1);
    expect(Object.keys(drafts)).toHaveLength(MAX_DRAFTS);
    expect(drafts.t1).toBeUndefined();
    expect(drafts.t0!.text).toBe("text 0 again");
    expect(drafts.extra!.text).toBe("one more");
  });

  it("forgets a draft emptied or left blank", () => {
    const drafts = withDraft({}, "t1", "hello", 1);
    expect(withDraft(drafts, "t1", "", 2)).toEqual({});
    expect(withDraft(drafts, "t1", "  \n ", 2)).toEqual({});
  });

  it("reads whatever the storage holds as bounded drafts, or none", () => {
    expect(parseDrafts(null)).toEqual({});
    expect(parseDrafts("{not json")).toEqual({});
    expect(parseDrafts('"a string"')).toEqual({});
    const many = Object.fromEntries(Array.from({ length: MAX_DRAFTS + 10 }, (_, i) => [`t${i}`, { text: "y".repeat(MAX_DRAFT_CHARS * 2), at: i }]));
    const stored = { ...many, bad: { text: 5, at: 1 }, nul: null, blank: { text: " ", at: 1e9 } };
    const read = parseDrafts(JSON.stringify(stored));
    expect(Object.keys(read)).toHaveLength(MAX_DRAFTS);
    expect(read.t0).toBeUndefined();
    expect(read[`t${MAX_DRAFTS + 9}`]!.text).toHaveLength(MAX_DRAFT_CHARS);
    expect(read.bad ?? read.nul ?? read.blank).toBeUndefined();
  });
});

describe("drafts in the browser's storage", () => {
  it("gives a draft back on the user's next page, and forgets it when asked", async () => {
    vi.stubGlobal("window", fakeBrowser());
    (await signedIn("alice")).saveDraft("t1", "half a question");
    const next = await signedIn("alice");
    expect(next.readDraft("t1")).toBe("half a question");
    next.forgetDraft("t1");
    expect((await signedIn("alice")).readDraft("t1")).toBe("");
  });

  it("forgets every thread's draft when all threads are deleted, not the new chat's", async () => {
    vi.stubGlobal("window", fakeBrowser());
    const page = await signedIn("alice");
    page.saveDraft("t1", "one");
    page.saveDraft(page.editDraftKey("t1", "s1"), "an edit");
    page.saveDraft("new", "a new chat");
    page.forgetThreadDrafts();
    expect([page.readDraft("t1"), page.hasEditDraft("t1", "s1"), page.readDraft("new")]).toEqual(["", false, "a new chat"]);
  });

  it("keeps an edit box's draft per message, and forgets it with its thread only", async () => {
    vi.stubGlobal("window", fakeBrowser());
    const page = await signedIn("alice");
    page.saveDraft("t1", "the box");
    page.saveDraft(page.editDraftKey("t1", "s1"), "an edit");
    page.saveDraft(page.editDraftKey("t2", "s1"), "another thread's edit");
    const next = await signedIn("alice");
    expect([next.hasEditDraft("t1", "s1"), next.hasEditDraft("t1", "s2"), next.readDraft(next.editDraftKey("t1", "s1"))]).toEqual([true, false, "an edit"]);
    next.forgetDraft("t1");
    expect([next.readDraft("t1"), next.hasEditDraft("t1", "s1"), next.hasEditDraft("t2", "s1")]).toEqual(["", false, true]);
  });

  it("hostile: a sign-out leaves no draft for whoever signs in next", async () => {
    const browser = fakeBrowser();
    vi.stubGlobal("window", browser);
    const alices = await signedIn("alice");
    alices.saveDraft("new", "alice's secret plan");
    alices.saveDraft(alices.editDraftKey("t1", "s1"), "alice's secret edit");
    alices.releaseClientState();
    expect(JSON.stringify({ ...browser.localStorage })).not.toContain("secret");
    const bobs = await signedIn("bob");
    expect([bobs.readDraft("new"), bobs.hasEditDraft("t1", "s1")]).toEqual(["", false]);
  });

  it("keeps the drafts through a session ended elsewhere for the same user only", async () => {
    const browser = fakeBrowser();
    vi.stubGlobal("window", browser);
    const alices = await signedIn("alice");
    alices.saveDraft("t1", "alice's secret plan");
    browser.localStorage.setItem("threadbook.deletion-running", "1");
    // A 401 (client-state.ts, sessionEnded): the rest goes, the drafts stay under her tag.
    alices.releaseClientState(true);
    expect(browser.localStorage.getItem("threadbook.deletion-running")).toBeNull();
    expect((await signedIn("alice")).readDraft("t1")).toBe("alice's secret plan");

    alices.releaseClientState(true);
    const bobs = await signedIn("bob");
    expect(bobs.readDraft("t1")).toBe("");
    expect(JSON.stringify({ ...browser.localStorage })).not.toContain("secret");
  });

  it("hostile: a box still open in alice's tab writes nothing once bob has claimed the storage in another tab", async () => {
    const browser = fakeBrowser();
    vi.stubGlobal("window", browser);
    const alices = await signedIn("alice");
    // The tag her box mounted with (use-draft.ts); then bob signs in in another tab of the same browser.
    const owner = alices.draftOwner();
    await signedIn("bob");
    alices.saveDraft("new", "alice's secret plan", owner);
    alices.saveDraft("new", "alice's secret plan");
    expect(JSON.stringify({ ...browser.localStorage })).not.toContain("secret");
  });

  it("hostile: alice's box going as bob's shell takes the same tab writes nothing under bob's tag", async () => {
    const browser = fakeBrowser();
    vi.stubGlobal("window", browser);
    const page = await signedIn("alice");
    const owner = page.draftOwner();
    // The shell is rendered for bob (claimed) before alice's box unmounts and writes what she typed last.
    page.claimClientState("bob@example.com", "tag-of-bob");
    page.saveDraft("new", "alice's secret plan", owner);
    expect(JSON.stringify({ ...browser.localStorage })).not.toContain("secret");
    expect(page.readDraft("new")).toBe("");
  });

  it("keeps drafts in the tab's memory when storage is blocked, emptied for the next user", async () => {
    vi.stubGlobal("window", {
      get localStorage(): Storage {
        throw new Error("SecurityError");
      },
      get sessionStorage(): Storage {
        throw new Error("SecurityError");
      },
    });
    const page = await freshPage();
    page.claimClientState("alice@example.com", "tag-of-alice");
    page.saveDraft("t1", "kept here");
    expect(page.readDraft("t1")).toBe("kept here");
    page.claimClientState("bob@example.com", "tag-of-bob");
    expect(page.readDraft("t1")).toBe("");
  });
});
