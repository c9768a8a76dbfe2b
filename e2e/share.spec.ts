/**
 * Share links (docs/sharing.md). Alice shares a thread she makes here (her seeded list must keep its order
 * for the thread-list spec, so the thread is deleted again at the end); a browser context without a session opens the
 * link; bob continues it in his history.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expect, test } from "./fixtures";
import { ShareDialog, SharedThreadPage } from "./pages/share-page";
import { SignInPage } from "./pages/sign-in-page";
import { ThreadsPage } from "./pages/threads-page";

const CSV = "region,revenue\nNorth,182400\nEast,201750\n";

test("share a thread: a public snapshot with its file, shared again, stopped, then for signed-in people only; bob continues it", async ({ page, browser, threads, thread }) => {
  // A long flow with three browser contexts; on a loaded machine each step can take several seconds.
  test.setTimeout(420_000);
  const tag = randomUUID().slice(0, 6);
  const name = `Numbers to share ${tag}`;
  const fileName = `shared-${tag}.csv`;

  // Alice: a new chat with a CSV, then "Share" → anyone with the link. (The list may take a while on a loaded machine.)
  await page.goto("/threads");
  await expect(threads.rows.first()).toBeVisible({ timeout: 30_000 });
  await threads.newChat();
  await thread.attach([{ name: fileName, mimeType: "text/csv", buffer: Buffer.from(CSV) }]);
  await expect(thread.draftFile(fileName).getByRole("progressbar")).toHaveCount(0);
  await thread.send(name);
  await thread.waitForStoredTurn();
  await expect(thread.heading).toHaveText(name);
  const share = new ShareDialog(page);
  const link = await share.share("Anyone with the link");
  expect(new URL(link).pathname).toMatch(/^\/share\/[0-9a-f-]{36}$/);
  // Her own view is unchanged: composer and feedback still there.
  await expect(thread.composer).toBeVisible();

  // Listed under "Shared links" in her user menu.
  await page.getByTestId("user-menu").click();
  await page.getByRole("menuitem", { name: "Shared links" }).click();
  const list = page.getByRole("dialog", { name: "Shared links" });
  await expect(list.getByTestId("shared-link").filter({ hasText: name })).toContainText("Anyone with the link");
  await page.keyboard.press("Escape");

  // A browser without a session: the thread, its file, no composer, no feedback; noindex and a preview title.
  // An explicit empty state: a context made in a test otherwise inherits the signed-in user's storageState.
  const anonymous = await browser.newContext({ baseURL: new URL(link).origin, storageState: { cookies: [], origins: [] } });
  try {
    const viewer = new SharedThreadPage(await anonymous.newPage());
    expect(await viewer.goto(link)).toBe(200);
    await expect(viewer.heading).toHaveText(name);
    await expect(viewer.userMessages).toHaveCount(1);
    await expect(viewer.composer).toHaveCount(0);
    await expect(viewer.page.getByRole("button", { name: "Helpful", exact: true })).toHaveCount(0);
    await expect(viewer.page.locator('meta[name="robots"]')).toHaveAttribute("content", /noindex/);
    await expect(viewer.page.locator('meta[property="og:title"]')).toHaveAttribute("content", name);
    await expect(viewer.page.getByText("alice@example.com")).toHaveCount(0);
    const download = await viewer.download(fileName);
    expect(download.suggestedFilename()).toBe(fileName);
    expect(await readFile((await download.path())!, "utf8")).toBe(CSV);

    // Alice adds a message: not in the snapshot until she shares again.
    const second = `A later message ${tag}`;
    await thread.send(second);
    await thread.waitForStoredTurn();
    await viewer.goto(link);
    await expect(viewer.heading).toHaveText(name);
    await expect(viewer.page.getByText(second)).toHaveCount(0);
    await share.share("Anyone with the link", "Share again with new messages");
    await viewer.goto(link);
    await expect(viewer.userMessages).toHaveCount(2);
    await expect(viewer.page.getByText(second).first()).toBeVisible();

    // Stopped: the same 404 as any link that does not exist.
    await share.stop();
    expect(await viewer.goto(link)).toBe(404);
    await expect(viewer.notFound).toBeVisible();
    expect(await viewer.goto(`/share/${randomUUID()}`)).toBe(404);

    // For signed-in people only: the anonymous viewer is sent to sign in.
    await share.share("People signed in to this Threadbook");
    await viewer.goto(link);
    await expect(viewer.page).toHaveURL(/\/sign-in\?callbackUrl=%2Fshare%2F/);
  } finally {
    await anonymous.close();
  }

  // Bob sees it and continues it in his history: a thread of his own, with the composer and the file.
  // Signed in here, in a context of his own (a context made in a test starts with alice's session otherwise).
  const bobContext = await browser.newContext({ baseURL: new URL(link).origin, storageState: { cookies: [], origins: [] } });
  try {
    const bob = new SharedThreadPage(await bobContext.newPage());
    await new SignInPage(bob.page).signIn("bob@example.com");
    expect(await bob.goto(link)).toBe(200);
    await expect(bob.heading).toHaveText(name);
    await bob.continueButton.click();
    await expect(bob.page).toHaveURL(/\/threads\/[0-9a-f-]{36}$/);
    expect(new URL(bob.page.url()).pathname).not.toBe(new URL(link).pathname.replace("/share/", "/threads/"));
    await expect(bob.page.getByRole("heading", { level: 1 })).toHaveText(name);
    await expect(bob.composer).toBeVisible();
    await expect(bob.page.getByTestId("element-download").filter({ hasText: fileName })).toBeVisible();
    // Bob's copy goes again, so his list is as the other specs expect.
    const bobThreads = new ThreadsPage(bob.page);
    await (await bobThreads.startDelete(name)).getByRole("button", { name: "Delete" }).click();
    await expect(bobThreads.row(name)).toHaveCount(0);
  } finally {
    await bobContext.close();
  }

  // Alice deletes her thread: its share ends with it, and her list is as it was.
  const dialog = await threads.startDelete(name);
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(threads.row(name)).toHaveCount(0);
});
