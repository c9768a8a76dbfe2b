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
