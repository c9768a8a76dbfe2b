/**
 * Continuing threads: the fake OpenAI-compatible server (e2e/global-setup.ts) answers "Echo: <message>"
 * token by token, 40 ms apart; "[slow]" streams 400 words slowly, "[stall]" two tokens and then nothing until it is
 * stopped, "[fail]" gets a 500, "[attachments]" lists the content parts it received.
 *
 * As a user of this spec's own, with two threads of the demo seed's: every turn moves a thread to the top of its
 * owner's list, and each message counts against the owner's CHAT_MESSAGES_PER_MINUTE, so no other spec's list or
 * budget is touched, and nothing another spec did shows here.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { expect, snap, trpcCallEnded } from "./fixtures";
import { onTable, ownUser, putOffPreview, seedThreads, showcaseThread, topicThreadOf } from "./fresh-user";
import { ThreadPage } from "./pages/thread-page";
import type { ThreadsPage } from "./pages/threads-page";
import { RUN_UNDER_CLAIM } from "../src/server/chat/thread-claim";

/** The thread continued (the older of the two, so a turn visibly moves it to the top), and another one to come from. */
const CONTINUED = "Q3 sales by region";
const OTHER = "Plan a three-day trip to Kyoto";
const test = ownUser("continue", (data, identifier) => seedThreads(data, [showcaseThread(identifier, CONTINUED), topicThreadOf(identifier, 0)]));

/** The upload route (src/app/api/threads/[threadId]/elements/route.ts). */
const UPLOADS = /\/api\/threads\/[^/]+\/elements\?/;

/** Makes every message (and so every new chat's name) unique across the tests of one run. */
const tagged = (text: string) => `${text} #${randomUUID().slice(0, 6)}`;

/** A new chat whose first message (`text`, tagged) is answered and stored; returns that message. */
async function newChatAnswered(threads: ThreadsPage, thread: ThreadPage, text: string): Promise<string> {
  await threads.goto();
  await threads.newChat();
  const opening = tagged(text);
  await thread.send(opening);
  await expect(thread.lastReplyText()).toHaveText(`Echo: ${opening}`);
  await thread.waitForStoredTurn();
  return opening;
}

/**
 * Sends `text` so that the server stores and answers it but its answer is lost on the way back, and so is every read
 * of the thread that would have shown it delivered (use-chat-stream.ts, holdsMessage): the box keeps the text, under
 * the same message id. Resolves with what lets the sends and reads through again.
 */
async function sendLosingTheAnswer(thread: ThreadPage, text: string): Promise<() => Promise<void>> {
  const { page } = thread;
  const sends = "**/api/trpc/chat.send**";
  await page.route(sends, async (route) => {
    await route.fetch();
    await route.abort("failed");
  });
  // A batch may name it after another procedure: matched anywhere in the path.
  const threadReads = (url: URL) => url.pathname.includes("threads.get");
  await page.route(threadReads, (route) => route.abort("failed"));
  await thread.send(text);
  await expect(thread.alert("Couldn't send your message.")).toBeVisible();
  await expect(thread.composer).toHaveValue(text);
  return async () => {
    await page.unroute(sends);
    await page.unroute(threadReads);
  };
}

/** Another tab on the same thread, whose reply stalls after its first words until it is stopped. */
async function otherTabStalling(thread: ThreadPage, text: string): Promise<{ other: ThreadPage; question: string }> {
  const other = new ThreadPage(await thread.page.context().newPage());
  await other.page.goto(thread.page.url());
  const question = tagged(`[stall] ${text}`);
  await other.send(question);
  await expect(other.lastReplyText()).toContainText("Echo:");
  return { other, question };
}

test.describe("continue a thread", () => {
  test("streams the reply token by token, keeps the turn across a reload, and takes a 👍", async ({ page, threads, thread }) => {
    // A turn, its handover, two reloads and a rating: over a minute on a busy machine (each reload took 10-20 s).
    test.slow();
    await threads.goto();
    await threads.open(CONTINUED);
    const answersBefore = await thread.assistantMessages.count();
    // About 60 tokens, 40 ms apart: a reply of 2-3 s. The first reply sent from a page is also what loads its Markdown
    // code (lazy-markdown.tsx), which takes the page's main thread for 200-300 ms at a time while the reply streams.
    const message = tagged(
      "What should I pack for a week in Oslo in November, with two day hikes, a concert and a dinner somewhere nice? " +
        "I get cold easily, I want one small bag, and I would rather buy a rain jacket there than carry one, so keep the list short and say what I can skip.",
    );
    const reply = `Echo: ${message}`;
    // Every text the reply shows is recorded in the page as it is drawn: sampled from here instead, a round trip per
    // look, the reply could grow and finish between two looks (it did, on a loaded machine).
    await thread.recordReplyStates();
    await thread.send(message);
    await expect(thread.lastReplyText()).toHaveText(reply);
    const shown = await thread.replyStates();
    const partial = shown.filter((state) => state.streaming && state.text !== reply);
    // It grew while streaming: at least two texts short of the whole reply, each a longer start of it than the last.
    expect(partial.length, JSON.stringify(shown.map((state) => state.text.length))).toBeGreaterThanOrEqual(2);
    for (const [i, state] of partial.entries()) {
      expect(reply.startsWith(state.text), state.text).toBe(true);
      if (i > 0) expect(state.text.length).toBeGreaterThan(partial[i - 1]!.text.length);
    }
    // Meanwhile: the message showed at once, the box was empty again, Send became Stop, the reply was marked busy.
    for (const state of partial) expect(state).toMatchObject({ busy: true, stop: true, composerEmpty: true });
    await expect(thread.userMessages.last()).toContainText(message);
    await expect(thread.sendButton).toBeVisible();

    // Handed over to the stored turn: feedback buttons under the new answer, and the thread on top of the list.
    await thread.waitForStoredTurn();
    await expect(thread.assistantMessages).toHaveCount(answersBefore + 1);
    await expect(thread.up(answersBefore)).toBeVisible();
    // Nothing moved at the hand-over: the question's footer already had the height of the Edit pencil it gains there,
    // so the view that followed the reply is still at the very bottom (it ended 4 px short of it).
    await expect(thread.userMessages.last().getByRole("button", { name: "Edit message" })).toBeVisible();
    expect(await page.locator(".main-pane").evaluate((pane) => pane.scrollHeight - pane.scrollTop - pane.clientHeight)).toBeLessThanOrEqual(1);
    await expect(threads.rows.first()).toContainText(CONTINUED);
    await snap(page, "continued");

    await page.reload();
    await expect(thread.userMessages.last()).toContainText(message);
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${message}`);
    await thread.rate(answersBefore, "up");
    await expect(thread.up(answersBefore)).toHaveAttribute("aria-pressed", "true");
    await page.reload();
    await expect(thread.up(answersBefore)).toHaveAttribute("aria-pressed", "true");
    await expect(threads.rows.first()).toContainText(CONTINUED);
  });

  test("New chat: named after its first message, on top of the list, at its own URL; Back returns to where you were", async ({ page, threads, thread }) => {
    await threads.goto();
    await threads.open(OTHER);
    await threads.newChat();
    await expect(thread.newChatHeading).toBeVisible();
    await expect(thread.text("Replies by fake-gpt.")).toBeVisible();

    const message = tagged("Plan a picnic by the fjord");
    await thread.composer.fill(message);
    await thread.sendButton.click();
    await expect(thread.userMessages).toHaveCount(1);
    await expect(page).toHaveURL(/\/threads\/[0-9a-f-]{36}$/);
    await expect(thread.heading).toHaveText(message);
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${message}`);
    await expect(threads.rows.first()).toContainText(message);
    await expect(threads.link(message)).toHaveAttribute("aria-current", "page");
    await thread.waitForStoredTurn();
    await expect(thread.up(0)).toBeVisible();
    const url = page.url();

    // The URL was replaced, not pushed: Back leaves the chat for the thread open before.
    await page.goBack();
    await expect(thread.heading).toHaveText(OTHER);
    await page.goto(url);
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${message}`);
    await expect(thread.userMessages).toHaveCount(1);
  });

  test("what is typed in a new chat while it moves to its own URL stays in the box, and sends", async ({ page, threads, thread }) => {
    await threads.goto();
    await threads.newChat();
    // The move to the thread's own URL is held while the next message is typed: the page it lands on has a box of
    // its own, and what was typed in the new chat's box used to go with that box.
    const chatUrl = /\/threads\/[0-9a-f-]{36}/;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const navigationHeld = new Promise<void>((resolve) => (held = resolve));
    await page.route(chatUrl, async (route) => {
      if (route.request().headers()["rsc"] !== "1") return route.continue();
      held();
      await released;
      await route.continue();
    });
    const first = tagged("First of two");
    await thread.send(first);
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${first}`);
    await navigationHeld;
    const second = tagged("Second, typed while the chat moves");
    await thread.composer.fill(second);
    release();
    await page.waitForURL(/\/threads\/[0-9a-f-]{36}$/);
    await page.unroute(chatUrl);
    await expect(thread.composer).toHaveValue(second);
    await thread.waitForStoredTurn();
    await thread.composer.press("Enter");
    await expect(thread.userMessages).toHaveCount(2);
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${second}`);
    await expect(thread.composer).toHaveValue("");
  });

  test("attaches text files (upload progress, remove), the assistant reads the one sent, and it downloads back", async ({ page, threads, thread }) => {
    await threads.goto();
    await threads.newChat();
    const notes = Buffer.from("Packing list\n- wool socks\n- rain jacket\n", "utf8");

    // Hold the upload at the network so its progress bar can be seen, then let it through.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(UPLOADS, async (route) => {
      await held;
      await route.continue();
    });
    await thread.attach([{ name: "notes.txt", mimeType: "text/plain", buffer: notes }]);
    const chip = thread.draftFile("notes.txt");
    await expect(chip).toContainText("TXT");
    const progress = chip.getByRole("progressbar", { name: "Uploading notes.txt" });
    await expect(progress).toBeVisible();
    await expect(progress).toHaveAttribute("aria-valuenow", /^\d{1,3}$/);
    await snap(page, "attachment-uploading");
    release();
    await expect(progress).toHaveCount(0);
    await page.unroute(UPLOADS);

    // A second file, removed again before sending: it is deleted, so the assistant never gets it.
    await thread.attach([{ name: "draft.md", mimeType: "text/markdown", buffer: Buffer.from("# not this one\n") }]);
    await expect(thread.draftFile("draft.md").getByRole("progressbar")).toHaveCount(0);
    const deleted = trpcCallEnded(page, "elements.delete");
    await thread.draftFile("draft.md").getByRole("button", { name: "Remove draft.md" }).click();
    await deleted;
    await expect(thread.draftFiles).toHaveCount(1);

    const message = tagged("[attachments] What is in my notes?");
    await thread.send(message);
    await expect(page).toHaveURL(/\/threads\/[0-9a-f-]{36}$/);
    // The message's own text, then the file inlined as text: two text parts.
    const filePart = `Attached file notes.txt:\n\n${notes.toString("utf8")}`;
    await expect(thread.lastReplyText()).toHaveText(`Parts: text(${message.length}), text(${filePart.length})`);
    await thread.waitForStoredTurn();

    await page.reload();
    const download = await thread.saveDownload(() => thread.download("notes.txt").click());
    expect(download.suggestedFilename()).toBe("notes.txt");
    expect(await readFile((await download.path())!)).toEqual(notes);
    await expect(thread.download("draft.md")).toHaveCount(0);
  });

  test("an attached photo shows as its small preview; the full-size dialog opens the original", async ({ page, threads, thread }) => {
    await threads.goto();
    await threads.newChat();
    // A camera-sized photo (noise, so it weighs what a photo does): the thumbnail must not load it.
    const photo = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } }).jpeg().toBuffer();
    await thread.attach([{ name: "photo.jpg", mimeType: "image/jpeg", buffer: photo }]);
    await expect(thread.draftFile("photo.jpg").getByRole("progressbar")).toHaveCount(0);
    await thread.send(tagged("[attachments] What is in my photo?"));
    await expect(page).toHaveURL(/\/threads\/[0-9a-f-]{36}$/);
    await thread.waitForStoredTurn();

    await page.reload();
    const thumb = thread.imageThumbnails.getByRole("img", { name: "photo.jpg" });
    await expect(thumb).toBeVisible();
    // The preview's key (threadbook-previews/…, object-key.ts), drawn from a WebP that fits the thumbnail at 2×.
    await expect(thumb).toHaveAttribute("src", /\/threadbook-previews\/[^?]+\.webp\?/);
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(533);
    await thread.imageThumbnails.click();
    const full = thread.imageDialog("photo.jpg").getByRole("img", { name: "photo.jpg" });
    await expect(full).toHaveAttribute("src", /\/threadbook\/[^?]+\/photo\.jpg\?/);
    await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(2000);
  });

  test("an image stored by another writer gets its preview on its first view; a file that is no image shows as itself", async ({ page, threads, thread }) => {
    await threads.goto();
    await threads.open(OTHER);
    const threadId = page.url().split("/").pop()!;
    const photo = await sharp({ create: { width: 1200, height: 1600, channels: 3, background: "#3a6ea5" } }).jpeg().toBuffer();
    await onTable(async (data) => {
      const forId = (await data.getThread(threadId))!.steps[0]!.id;
      // As Chainlit leaves one: the file stored, the item naming it, no preview (stored as a file, then named an image).
      const id = randomUUID();
      const { objectKey } = await data.createElement({ id, threadId, forId, type: "file", name: "chainlit.jpg", mime: "application/octet-stream", content: photo });
      await data.createElement({ id, threadId, forId, type: "image", name: "chainlit.jpg", mime: "image/jpeg", objectKey });
      await data.createElement({ id: randomUUID(), threadId, forId, type: "image", name: "broken.png", mime: "image/png", content: "not a PNG at all" });
    });
    const asked = trpcCallEnded(page, "elements.preview");
    await page.reload();
    await asked;
    const lazy = thread.imageThumbnails.getByRole("img", { name: "chainlit.jpg" });
    await expect(lazy).toHaveAttribute("src", /\/threadbook-previews\/[^?]+\.webp\?/);
    await expect.poll(() => lazy.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(300);
    // Refused when stored (recorded): the thumbnail falls back to the file itself, and nothing is asked for it.
    await expect(thread.imageThumbnails.getByRole("img", { name: "broken.png" })).toHaveAttribute("src", /\/threadbook\/[^?]+\/broken\.png\?/);
  });

  test("an image whose preview cannot be made just now is asked for again, a placeholder meanwhile (never the original), and then shows its preview", async ({ page, threads, thread }) => {
    await threads.goto();
    await threads.open(OTHER);
    const threadId = page.url().split("/").pop()!;
    const photo = await sharp({ create: { width: 1200, height: 1600, channels: 3, background: "#a5553a" } }).jpeg().toBuffer();
    const name = `later-${randomUUID().slice(0, 6)}.jpg`;
    const element = await onTable(async (data) => {
      const forId = (await data.getThread(threadId))!.steps[0]!.id;
      const id = randomUUID();
      // Stored by another writer (Chainlit), with no preview: the thumbnail asks for one.
      const { objectKey } = await data.createElement({ id, threadId, forId, type: "file", name, mime: "application/octet-stream", content: photo });
      await data.createElement({ id, threadId, forId, type: "image", name, mime: "image/jpeg", objectKey });
      return { threadId, id, objectKey: objectKey! };
    });
    // "None now" (as after a making that ran out of time) until the first ask has had its null answer.
    await putOffPreview(element, Date.now() + 10 * 60_000);
    let asks = 0;
    let originalRead = false;
    page.on("request", (request) => {
      if (request.url().includes("elements.preview")) asks++;
      if (new URL(request.url()).pathname.endsWith(`/${name}`)) originalRead = true;
    });
    const firstAnswer = trpcCallEnded(page, "elements.preview");
    await page.reload();
    await firstAnswer;
    // The placeholder, not the original, while it waits to ask again; then the making is due.
    await expect(thread.imageThumbnails.getByRole("img", { name })).toHaveCount(0);
    await putOffPreview(element, Date.now());
    const thumb = thread.imageThumbnails.getByRole("img", { name });
    await expect(thumb).toHaveAttribute("src", /\/threadbook-previews\/[^?]+\.webp\?/, { timeout: 30_000 });
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(300);
    expect(asks).toBeGreaterThan(1);
    expect(originalRead).toBe(false);
  });

  test("files attached but never sent are removed when you leave: no stray attachment, no empty new chat", async ({ page, threads, thread }) => {
    const uploadedTo = async (name: string) => {
      const request = page.waitForRequest((r) => UPLOADS.test(r.url()) && r.url().includes(`name=${name}`));
      await thread.attach([{ name, mimeType: "text/plain", buffer: Buffer.from("never sent\n") }]);
      await expect(thread.draftFile(name).getByRole("progressbar")).toHaveCount(0);
      return new URL((await request).url()).pathname.split("/")[3]!;
    };

    // On a stored thread: the file goes when you open another thread.
    await threads.goto();
    await threads.open(CONTINUED);
    await uploadedTo("stray.txt");
    const deleted = trpcCallEnded(page, "elements.delete");
    await threads.open(OTHER);
    await deleted;
    await threads.open(CONTINUED);
    await expect(thread.download("stray.txt")).toHaveCount(0);

    // In a new chat the first file made the thread (threads.create): it goes too.
    await threads.newChat();
    const threadId = await uploadedTo("orphan.txt");
    const gone = trpcCallEnded(page, "threads.delete");
    await threads.newChat();
    await gone;
    expect((await page.goto(`/threads/${threadId}`))?.status()).toBe(404);
    await expect(thread.notFoundHeading).toBeVisible();
  });

  test("a message with only a file is sent, and the chat is named after the file", async ({ page, threads, thread }) => {
    await threads.goto();
    await threads.newChat();
    const name = `${randomUUID().slice(0, 6)}-itinerary.json`;
    await thread.attach([{ name, mimeType: "application/json", buffer: Buffer.from('{"day":1}') }]);
    await expect(thread.draftFile(name).getByRole("progressbar")).toHaveCount(0);
    await expect(thread.sendButton).toBeEnabled();
    await thread.sendButton.click();
    await expect(page).toHaveURL(/\/threads\/[0-9a-f-]{36}$/);
    await expect(thread.heading).toHaveText(name);
    await expect(thread.download(name)).toBeVisible();
    await thread.waitForStoredTurn();
    await expect(threads.rows.first()).toContainText(name);
  });

  test("refuses a file type outside the allow-list or whose bytes are not its type, and shows the server's message when storage is down", async ({ page, threads, thread }) => {
    await threads.goto();
    await threads.open(CONTINUED);
    await thread.attach([{ name: "setup.exe", mimeType: "application/x-msdownload", buffer: Buffer.from("MZ\u0090\u0000") }]);
    await expect(thread.alert("“setup.exe” is not a supported file type. Allowed:")).toBeVisible();
    await expect(thread.draftFiles).toHaveCount(0);
    await expect(thread.sendButton).toBeDisabled();
    await snap(page, "attachment-refused");
    await thread.draftError.getByRole("button", { name: "Dismiss" }).click();
    await expect(thread.draftError).toHaveCount(0);

    // An allowed name and type over bytes that are not that type: the server reads the first bytes and refuses it.
    await thread.attach([{ name: "photo.png", mimeType: "image/png", buffer: Buffer.from("<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>") }]);
    await expect(thread.alert("“photo.png” is not a PNG file: its content does not match its type, so it was not saved.")).toBeVisible();
    await expect(thread.draftFiles).toHaveCount(0);
    await thread.draftError.getByRole("button", { name: "Dismiss" }).click();
    await expect(thread.draftError).toHaveCount(0);

    const unavailable = "File storage is unavailable right now, so the file was not saved. Please try again.";
    await page.route(UPLOADS, (route) => route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ error: unavailable }) }));
    await thread.attach([{ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") }]);
    await expect(thread.alert(unavailable)).toBeVisible();
    await expect(thread.draftFiles).toHaveCount(0);
    await page.unroute(UPLOADS);

    // In Chinese: the server's refusal carries a code, which the page words with the file's name.
    await page.context().addCookies([{ name: "tb-locale", value: "zh-CN", url: page.url() }]);
    await page.reload();
    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.getByRole("button", { name: "添加附件", exact: true }).click()]);
    await chooser.setFiles([{ name: "photo.png", mimeType: "image/png", buffer: Buffer.from("GIF89a not a png") }]);
    await expect(thread.alert("“photo.png”不是 PNG 文件：内容与文件类型不符，因此未保存。")).toBeVisible();
    await expect(thread.draftFiles).toHaveCount(0);
  });

  test("Stop keeps the partial reply, also after a reload", async ({ page, threads, thread }) => {
    await threads.goto();
    await threads.newChat();
    await thread.send(tagged("[slow] Tell me a very long story"));
    await expect(thread.lastReplyText()).toContainText("word6 ");
    await snap(page, "streaming-light");
    await page.emulateMedia({ colorScheme: "dark" });
    await snap(page, "streaming-dark");
    await page.emulateMedia({ colorScheme: "light" });

    await thread.stopButton.click();
    await expect(thread.sendButton).toBeVisible();
    await expect(thread.lastReply().getByText("Stopped", { exact: true })).toBeVisible();
    const partial = ((await thread.lastReplyText().textContent()) ?? "").trim();
    expect(partial).toMatch(/^word0 word1 word2 word3 word4 word5 word6/);
    expect(partial).not.toContain("word399");
    await thread.waitForStoredTurn();
    await snap(page, "stopped");

    await page.reload();
    const stored = ((await thread.lastReplyText().textContent()) ?? "").trim();
    expect(stored.startsWith(partial)).toBe(true);
    expect(stored).not.toContain("word399");
    await expect(thread.lastReply().getByText("Stopped", { exact: true })).toBeVisible();
  });

  test("an assistant failure shows the error under the message, which stays; Retry asks again in its place: the question stays once, with its file, after a reload too", async ({ page, threads, thread }) => {
    // Three turns and two reloads: over a minute on a busy machine.
    test.slow();
    await threads.goto();
    await threads.newChat();
    await thread.attach([{ name: "tides.txt", mimeType: "text/plain", buffer: Buffer.from("high water 06:12\n") }]);
    await expect(thread.draftFile("tides.txt").getByRole("progressbar")).toHaveCount(0);
    // The fake answers 500 twice to this text, then lists the parts it got ([attachments]): a flaky model.
    const message = tagged("[fail-twice] [attachments] Will this work?");
    await thread.send(message);
    const error = thread.lastReply();
    await expect(error).toContainText("Error");
    // The server's reason as a person reads it, not the JSON body it came in.
    await expect(error).toContainText("The assistant answered 500: the model is overloaded");
    await expect(error).not.toContainText("{");
    await thread.waitForStoredTurn();
    await snap(page, "assistant-error");

    await page.reload();
    await expect(thread.userMessages).toHaveCount(1);
    await expect(thread.userMessages.first()).toContainText(message);
    await expect(thread.lastReply()).toContainText("The assistant answered 500");

    // Retry asks the same question again; the fake fails it a second time: still one question, one failed answer.
    await thread.lastReply().getByRole("button", { name: "Retry" }).click();
    await thread.waitForStoredTurn();
    await expect(thread.lastReply()).toContainText("The assistant answered 500");
    await expect(thread.userMessages).toHaveCount(1);
    await expect(thread.assistantMessages).toHaveCount(1);

    // The second Retry is answered, with the question's file: the failed answer is gone, nothing offers Retry.
    await thread.lastReply().getByRole("button", { name: "Retry" }).click();
    const filePart = "Attached file tides.txt:\n\nhigh water 06:12\n";
    const parts = `Parts: text(${message.length}), text(${filePart.length})`;
    await expect(thread.lastReplyText()).toHaveText(parts);
    await thread.waitForStoredTurn();
    const shown = async () => {
      await expect(thread.userMessages).toHaveCount(1);
      await expect(thread.userMessages.first()).toContainText(message);
      await expect(thread.userMessages.first()).toContainText("tides.txt");
      await expect(thread.assistantMessages).toHaveCount(1);
      await expect(thread.lastReplyText()).toHaveText(parts);
      await expect(page.getByText("The assistant answered 500")).toHaveCount(0);
      await expect(page.getByRole("button", { name: "Retry" })).toHaveCount(0);
    };
    await shown();
    await page.reload();
    await shown();
  });

  test("a reply its server left open when it died (the thread's claim free) shows as cut off with Retry, after a reload too; Retry answers it in its place, once", async ({ page, threads, thread, own }) => {
    await threads.goto();
    await threads.newChat();
    const first = tagged("Where did we leave off?");
    await thread.send(first);
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${first}`);
    await thread.waitForStoredTurn();
    const threadId = page.url().split("/").pop()!;
    // The next turn as a server that died mid-reply left it: its question, its run (written under the thread's claim,
    // as every run of this app's), never ended, and the answer's last checkpoint, still marked streaming.
    const question = tagged("And after that?");
    await onTable(async (data) => {
      const at = (ms: number) => new Date(Date.now() + ms).toISOString();
      const questionId = randomUUID();
      const runId = randomUUID();
      await data.createStep({ id: questionId, threadId, type: "user_message", name: own.identifier, output: question, createdAt: at(0), start: at(0), end: at(0) });
      await data.createStep({ id: runId, threadId, type: "run", name: "on_message", parentId: questionId, input: question, createdAt: at(1), start: at(1), metadata: { [RUN_UNDER_CLAIM]: true } });
      await data.createStep({ id: randomUUID(), threadId, type: "assistant_message", name: "Assistant", parentId: runId, output: "Then we went to the", streaming: true, createdAt: at(2), start: at(2) });
    });
    const cutOff = async () => {
      await expect(thread.lastReplyText()).toHaveText("Then we went to the");
      await expect(thread.lastReply().getByTestId("reply-unfinished")).toHaveText(/This reply was cut off before it ended\./);
      await expect(page.getByRole("button", { name: "Regenerate reply" })).toHaveCount(0);
    };
    await page.reload();
    await cutOff();
    await page.reload();
    await cutOff();

    await thread.lastReply().getByRole("button", { name: "Retry" }).click();
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${question}`);
    await thread.waitForStoredTurn();
    const answered = async () => {
      await expect(thread.userMessages).toHaveCount(2);
      await expect(thread.userMessages.filter({ hasText: question })).toHaveCount(1);
      await expect(thread.assistantMessages).toHaveCount(2);
      await expect(page.getByText("Then we went to the")).toHaveCount(0);
      await expect(page.getByTestId("reply-unfinished")).toHaveCount(0);
    };
    await answered();
    await page.reload();
    await answered();
  });

  test("a reply streaming in another tab shows as being written (nothing offered on it) and grows here; once stopped there it offers Regenerate here, without a reload", async ({ page, threads, thread }) => {
    test.slow();
    await threads.goto();
    await threads.open(OTHER);
    const { other, question } = await otherTabStalling(thread, "think it over");
    // Opened while the other tab's reply streams: its partial answer, and no Regenerate or Retry on it.
    await page.reload();
    await expect(thread.userMessages.filter({ hasText: question })).toHaveCount(1);
    await expect(thread.lastReplyText()).toContainText("Echo:");
    await expect(page.getByRole("button", { name: "Regenerate reply" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Retry" })).toHaveCount(0);
    await expect(page.getByTestId("reply-unfinished")).toHaveCount(0);

    await other.stopButton.click();
    await other.waitForStoredTurn();
    await other.page.close();
    await expect(thread.lastReply().getByText("Stopped", { exact: true })).toBeVisible();
    await expect(thread.lastReply().getByRole("button", { name: "Regenerate reply" })).toBeVisible();
  });

  test("a network failure keeps the typed text and says so; sending again works", async ({ page, threads, thread }) => {
    await threads.goto();
    await threads.open(CONTINUED);
    const messagesBefore = await thread.userMessages.count();
    await page.route("**/api/trpc/chat.send**", (route) => route.abort("failed"));
    const message = tagged("Is the ferry running today?");
    await thread.send(message);
    await expect(thread.alert("Couldn't send your message.")).toBeVisible();
    await expect(thread.composer).toHaveValue(message);
    await expect(thread.userMessages).toHaveCount(messagesBefore);
    await snap(page, "send-failed");

    await page.unroute("**/api/trpc/chat.send**");
    await thread.composer.press("Enter");
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${message}`);
    await expect(thread.userMessages).toHaveCount(messagesBefore + 1);
  });

  test("a send the server stored and answered, whose answer never reached the browser, counts as sent: the question shows once, answered once, after a reload too", async ({ page, threads, thread }) => {
    await threads.goto();
    await threads.open(CONTINUED);
    const messagesBefore = await thread.userMessages.count();
    // The request reaches the server, which stores the turn; its answer is then lost on the way back.
    await page.route("**/api/trpc/chat.send**", async (route) => {
      await route.fetch();
      await route.abort("failed");
    });
    const message = tagged("Did the ferry leave?");
    await thread.send(message);
    // The thread holds it: delivered. The box is empty (kept, under the same id, a changed text sent next would have
    // been taken as an edit of the stored question) and nothing says it failed.
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${message}`);
    await expect(thread.composer).toHaveValue("");
    await expect(thread.alert("Couldn't send your message.")).toBeHidden();
    await page.unroute("**/api/trpc/chat.send**");
    const once = async () => {
      await expect(thread.userMessages).toHaveCount(messagesBefore + 1);
      await expect(thread.userMessages.filter({ hasText: message })).toHaveCount(1);
      await expect(thread.answersShowing(`Echo: ${message}`)).toHaveCount(1);
    };
    await once();
    // The next message is a message of its own, not an edit of that one.
    const next = tagged("And the next one?");
    await thread.send(next);
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${next}`);
    await thread.waitForStoredTurn();
    await expect(thread.userMessages).toHaveCount(messagesBefore + 2);
    await page.reload();
    await expect(thread.userMessages).toHaveCount(messagesBefore + 2);
    await expect(thread.answersShowing(`Echo: ${message}`)).toHaveCount(1);
  });

  test("a message kept in the box after a lost answer, sent again once another message followed it, is refused as already sent: the box lets it go, and the next message is a new one", async ({ page, threads, thread }) => {
    test.slow();
    const opening = await newChatAnswered(threads, thread, "Opening the pier thread");
    const kept = tagged("Is the pier open?");
    const readsBack = await sendLosingTheAnswer(thread, kept);
    // Another tab sends the next message into the thread: the kept one is no longer its newest question.
    const other = new ThreadPage(await page.context().newPage());
    await other.page.goto(page.url());
    const next = tagged("Meanwhile, in the other tab");
    await other.send(next);
    await expect(other.lastReplyText()).toHaveText(`Echo: ${next}`);
    await other.waitForStoredTurn();
    await other.page.close();
    await readsBack();

    // Sent again under its id: refused as already in the thread. The box lets it go (it used to take it back, under
    // the same id, refused again at every send), and the thread shows it, once.
    await thread.composer.press("Enter");
    await expect(thread.alert("This message was already sent: it is in the conversation.")).toBeVisible();
    await expect(thread.composer).toHaveValue("");
    await expect(thread.userMessages.filter({ hasText: kept })).toHaveCount(1);
    await expect(thread.userMessages.filter({ hasText: next })).toHaveCount(1);
    // The next message goes under an id of its own: answered, and nothing before it changed.
    const after = tagged("And the ferry?");
    await thread.send(after);
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${after}`);
    await thread.waitForStoredTurn();
    await page.reload();
    await expect(thread.userMessages).toHaveCount(4);
    for (const text of [opening, kept, next, after]) await expect(thread.userMessages.filter({ hasText: text })).toHaveCount(1);
    await expect(thread.answersShowing(`Echo: ${kept}`)).toHaveCount(1);
  });

  test("a message kept in the box after a lost answer and then changed is sent as a new message, never as an edit of the stored one", async ({ page, threads, thread }) => {
    const opening = await newChatAnswered(threads, thread, "Opening the tide thread");
    const kept = tagged("When is hihg water?");
    const readsBack = await sendLosingTheAnswer(thread, kept);
    await readsBack();
    // The typo fixed, and sent: a new message. Under the kept id it was an edit of the question the server had
    // stored, which replaced that turn.
    const fixed = tagged("When is high water?");
    await thread.send(fixed);
    await expect(thread.lastReplyText()).toHaveText(`Echo: ${fixed}`);
    await thread.waitForStoredTurn();
    await page.reload();
    await expect(thread.userMessages).toHaveCount(3);
    for (const text of [opening, kept, fixed]) await expect(thread.userMessages.filter({ hasText: text })).toHaveCount(1);
    await expect(thread.answersShowing(`Echo: ${kept}`)).toHaveCount(1);
  });

  test("a send while a reply streams in another tab is refused before it starts: it says why, keeps the typed text, follows the other tab's turn without a reload and says when it can send; then it sends", async ({ threads, thread }) => {
    // Two tabs, a refusal, the other reply followed to its end, then the send: over a minute on a busy machine.
    test.slow();
    await threads.goto();
    await threads.open(CONTINUED);
    const { other, question } = await otherTabStalling(thread, "take your time");
    await expect(other.stopButton).toBeVisible();

    const message = tagged("Squeezed in from the first tab");
    await thread.send(message);
    await expect(thread.alert("A reply is still being written in this thread, in another tab or window.")).toBeVisible();
    await expect(thread.composer).toHaveValue(message);
    await expect(thread.userMessages.filter({ hasText: message })).toHaveCount(0);
    // This tab follows the other one's turn: its question and its reply as far as it is stored.
    await expect(thread.waitingForOtherTab).toBeVisible();
    await expect(thread.userMessages.filter({ hasText: question })).toHaveCount(1);
    await expect(thread.lastReplyText()).toContainText("Echo:");

    await other.stopButton.click();
    await other.waitForStoredTurn();
    await other.page.close();
    // The other reply, stopped, shows here without a reload, and this tab says the message can be sent; it is still in the box.
    await expect(thread.lastReply().getByText("Stopped", { exact: true })).toBeVisible();
    await expect(thread.alert("The reply in the other tab has ended: you can send your message now.")).toBeVisible();
    await expect(thread.waitingForOtherTab).toHaveCount(0);
    await expect(thread.composer).toHaveValue(message);
    // The other tab's claim is given back just after its reply's last write: Enter again until this send is taken
    // (a refusal puts the text back, so a send under way is never pressed twice).
    await expect(async () => {
      if ((await thread.composer.inputValue()) === message) await thread.composer.press("Enter");
      await expect(thread.lastReplyText()).toHaveText(`Echo: ${message}`, { timeout: 5000 });
    }).toPass();
    await expect(thread.userMessages.filter({ hasText: message })).toHaveCount(1);
  });

  test("Enter sends, Shift+Enter adds a line, and Enter while an IME is composing does not send", async ({ threads, thread }) => {
    await threads.goto();
    await threads.open(CONTINUED);
    const before = await thread.userMessages.count();
    await thread.composer.fill("first line");
    await thread.composer.press("Shift+Enter");
    await thread.composer.pressSequentially("second line");
    await expect(thread.composer).toHaveValue("first line\nsecond line");
    // What an IME sends when Enter confirms a candidate: a keydown that is part of the composition.
    await thread.composer.dispatchEvent("keydown", { key: "Enter", code: "Enter", isComposing: true, bubbles: true, cancelable: true });
    await expect(thread.composer).toHaveValue("first line\nsecond line");
    await expect(thread.userMessages).toHaveCount(before);
    await thread.composer.press("Enter");
    await expect(thread.userMessages).toHaveCount(before + 1);
    await expect(thread.userMessages.last()).toContainText("first line");
    await expect(thread.userMessages.last()).toContainText("second line");
    await expect(thread.lastReplyText()).toHaveText(/^Echo: first line\s+second line$/);
  });
});
