import { afterEach, describe, expect, it, vi } from "vitest";
import { THEME_STORAGE_KEY } from "@/lib/shared/early-scripts/theme-script";
import { fakeBrowser } from "../../../test/browser-storage";

/** A fresh page load: the module's state is new, the browser's storage is the same. */
async function freshPage() {
  vi.resetModules();
  return import("./client-state");
}

afterEach(() => vi.unstubAllGlobals());

describe("browser storage across users", () => {
  it("hostile: a user signing in after another's session ended without a sign-out finds none of that user's keys", async () => {
    const browser = fakeBrowser();
    vi.stubGlobal("window", browser);
    const alicesPage = await freshPage();
    alicesPage.claimClientState("alice@example.com", "tag-of-alice");
    browser.localStorage.setItem("threadbook.deletion-running", "1");
    browser.localStorage.setItem(THEME_STORAGE_KEY, "dark");
    browser.sessionStorage.setItem("threadbook.tab", "alice's");

    // Her cookie expired; bob signs in in the same tab: a new page, the same storage.
    const bobsPage = await freshPage();
    bobsPage.claimClientState("bob@example.com", "tag-of-bob");
    expect(browser.localStorage.getItem("threadbook.deletion-running")).toBeNull();
    expect(browser.sessionStorage.getItem("threadbook.tab")).toBeNull();
    // The device's theme stays, and nothing kept names her.
    expect(browser.localStorage.getItem(THEME_STORAGE_KEY)).toBe("dark");
    expect(JSON.stringify({ ...browser.localStorage, ...browser.sessionStorage })).not.toContain("alice");
  });

  it("keeps a user's own keys from one of their pages to the next", async () => {
    const browser = fakeBrowser();
    vi.stubGlobal("window", browser);
    (await freshPage()).claimClientState("alice@example.com", "tag-of-alice");
    browser.localStorage.setItem("threadbook.deletion-running", "1");
    (await freshPage()).claimClientState("alice@example.com", "tag-of-alice");
    expect(browser.localStorage.getItem("threadbook.deletion-running")).toBe("1");
  });
});

/** A signed-in page's window that can be put back from the back/forward cache (a `pageshow` whose `persisted` is true). */
function restorablePage(browser: ReturnType<typeof fakeBrowser>) {
  const listeners = new Set<(event: PageTransitionEvent) => void>();
  const reload = vi.fn();
  const root = { hidden: false };
  vi.stubGlobal("window", {
    ...browser,
    location: { reload },
    addEventListener: (type: string, listener: (event: PageTransitionEvent) => void) => type === "pageshow" && listeners.add(listener),
    removeEventListener: (type: string, listener: (event: PageTransitionEvent) => void) => listeners.delete(listener),
  });
  vi.stubGlobal("document", { documentElement: root });
  // The back/forward cache on its own: no other tab tells this one anything.
  vi.stubGlobal("BroadcastChannel", undefined);
  const putBack = (persisted = true) => listeners.forEach((listener) => listener({ persisted } as PageTransitionEvent));
  return { reload, root, putBack, listening: () => listeners.size };
}

/** Alice's signed-in page, watching its session, in a browser whose storage outlives it. */
async function alicesRestorablePage() {
  const browser = fakeBrowser();
  const tab = restorablePage(browser);
  const alicesPage = await freshPage();
  alicesPage.claimClientState("alice@example.com", "tag-of-alice");
  const stop = alicesPage.watchSession("alice@example.com");
  return { browser, tab, stop };
}

describe("a page put back from the back/forward cache", () => {
  it("hostile: after the user signed out and another signed in elsewhere in the browser, it is hidden and loaded again", async () => {
    const { browser, tab } = await alicesRestorablePage();
    // She signs out in another page of the tab (or another tab), bob signs in there: his tag on the storage.
    (await freshPage()).claimClientState("bob@example.com", "tag-of-bob");
    tab.putBack();
    expect(tab.root.hidden).toBe(true);
    expect(tab.reload).toHaveBeenCalledTimes(1);
    // Bob's storage is left alone.
    expect(browser.localStorage.getItem("threadbook.storage-owner")).toBe("tag-of-bob");
  });

  it("hostile: after the user signed out, it is hidden and loaded again", async () => {
    const { tab } = await alicesRestorablePage();
    (await freshPage()).releaseClientState();
    tab.putBack();
    expect(tab.reload).toHaveBeenCalledTimes(1);
  });

  it("is kept as it was for the same user, and a page shown the usual way is left alone", async () => {
    const { tab, stop } = await alicesRestorablePage();
    tab.putBack();
    tab.putBack(false);
    expect(tab.reload).not.toHaveBeenCalled();
    expect(tab.root.hidden).toBe(false);
    stop();
    expect(tab.listening()).toBe(0);
  });
});
