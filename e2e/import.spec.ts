/**
 * Importing conversations: a ChatGPT export made here (the repo's fixture plus generated conversations,
 * titles tagged per run), uploaded through the dialog; the progress is watched, the summary read, and an imported
 * thread opened and continued. Then an Open WebUI export, read to the branch its user last saw.
 *
 * As a user of this spec's own (with one thread of the demo seed's, so the list has a row): an import adds 153 threads
 * and continuing one moves it to the top, in that user's list only.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import yazl from "yazl";
import { expect } from "./fixtures";
import { ownUser, seedThreads, topicThreadOf } from "./fresh-user";
import { ImportDialog } from "./pages/import-dialog";
import { openWebUiChats } from "../test/self-hosted-exports";

const test = ownUser("import", (data, identifier) => seedThreads(data, [topicThreadOf(identifier, 0)]));

const FILLERS = 150;

async function chatGptExport(tag: string): Promise<Buffer> {
  const fixture = JSON.parse(readFileSync("test/fixtures/imports/chatgpt-conversations.json", "utf8")) as Array<Record<string, unknown>>;
  const mine = fixture.map((c) => ({ ...c, title: `${c.title as string} ${tag}`, conversation_id: randomUUID(), id: undefined }));
  const fillers = Array.from({ length: FILLERS }, (_, i) => ({
    title: `Filler ${i} ${tag}`,
    conversation_id: randomUUID(),
    create_time: 1700000000 + i,
    update_time: 1700000000 + i,
    current_node: "a",
    mapping: {
      u: { id: "u", parent: null, children: ["a"], message: { id: "u", author: { role: "user" }, create_time: 1700000000 + i, content: { content_type: "text", parts: [`Question ${i}`] } } },
      a: { id: "a", parent: "u", children: [], message: { id: "a", author: { role: "assistant" }, create_time: 1700000001 + i, content: { content_type: "text", parts: [`Answer ${i}`] } } },
    },
  }));
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(JSON.stringify([...mine, ...fillers])), "conversations.json");
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

test("imports a ChatGPT export with progress and a summary; an imported thread opens and continues", async ({ page, threads, thread }) => {
  // An import of 150 conversations, then a chat turn: on a loaded machine this outlasts the default minute.
  test.slow();
  const tag = `#${randomUUID().slice(0, 6)}`;
  const total = FILLERS + 3;
  await threads.goto();
  const importer = new ImportDialog(page);
  await importer.open();
  // Every text the progress shows, recorded as the page draws it: the dialog polls the job item once a second, and an
  // import this small can go from "Reading the file…" to finished between two polls, so no one count is sure to show.
  await page.evaluate(() => {
    const shown: string[] = [];
    Object.assign(window, { importProgressShown: shown });
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="import-progress"]')?.textContent;
      if (text && shown.at(-1) !== text) shown.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await importer.choose({ name: "chatgpt-export.zip", mimeType: "application/zip", buffer: await chatGptExport(tag) });

  await expect(importer.summary).toBeVisible({ timeout: 60_000 });
  // What showed while it ran: the upload, the file being read, then conversations counted against the file's total,
  // never more and never going back.
  const shown = await page.evaluate(() => (window as unknown as { importProgressShown: string[] }).importProgressShown);
  expect(shown.some((text) => /^Reading the file…|^\d+ of \d+ conversations/.test(text))).toBe(true);
  for (const text of shown) expect(text).toMatch(new RegExp(`^(Uploading… \\d+%|Reading the file…|\\d+ of ${total} conversations)`));
  const counts = shown.flatMap((text) => text.match(new RegExp(`(\\d+) of ${total} conversations`))?.[1] ?? []).map(Number);
  expect(counts.every((n, i) => n <= total && (i === 0 || n >= counts[i - 1]!))).toBe(true);
  await expect(importer.summary).toContainText("Import finished.");
  await expect(importer.summary).toContainText(`${total - 1} imported, 0 already there`);
  // The file holds no bytes for the Kyoto map: that attachment is counted apart from the one conversation skipped.
  await expect(importer.summary).toContainText("1 conversation and 1 attachment of imported conversations skipped:");
  await expect(importer.summary).toContainText(`Nothing to see ${tag}: empty conversation`);
  await importer.close();

  await threads.searchFor(`Trip to Kyoto ${tag}`);
  await threads.open(`Trip to Kyoto ${tag}`);
  await expect(thread.userMessages.first()).toContainText("Plan three days in Kyoto around this map.");
  await expect(thread.lastReplyText()).toContainText("The train fares come to ¥680.");
  await expect(thread.text("An abandoned branch.")).toHaveCount(0);

  const message = `And a day trip to Nara? ${tag}`;
  await thread.send(message);
  await expect(thread.lastReplyText()).toContainText(`Echo: ${message}`, { timeout: 20_000 });
  await thread.waitForStoredTurn();
  await page.reload();
  await expect(thread.userMessages.last()).toContainText(message);
});

test("a file that is no known export is refused, saying what was expected, in the reader's language", async ({ page, threads }) => {
  await threads.goto();
  const importer = new ImportDialog(page);
  await importer.open();
  await importer.choose({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify({ notes: [] })) });
  await expect(importer.summary).toContainText("Import failed.", { timeout: 30_000 });
  await expect(importer.summary).toContainText("Expected a ChatGPT or Claude data export");
  // Nothing was imported: no row of zero counts beside the reason.
  await expect(importer.summary).not.toContainText("imported");

  // In Chinese: the dialog words the job's stored problem, not the English kept beside it.
  await page.context().addCookies([{ name: "tb-locale", value: "zh-CN", url: page.url() }]);
  await page.reload();
  await page.getByTestId("user-menu").click();
  await page.getByRole("menuitem", { name: "导入对话" }).click();
  const dialog = page.getByRole("dialog", { name: "导入对话" });
  await dialog.getByTestId("import-file").setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify({ notes: [] })) });
  const summary = dialog.getByTestId("import-summary");
  await expect(summary).toContainText("导入失败", { timeout: 30_000 });
  await expect(summary).toContainText("Threadbook 无法识别这个 JSON 导出。应为 ChatGPT 或 Claude 的数据导出");
  await expect(summary).not.toContainText("Expected a ChatGPT");
});

test("imports an Open WebUI export: the branch its user last saw, the file it does not carry counted as skipped", async ({ page, threads, thread }) => {
  const tag = ` #${randomUUID().slice(0, 6)}`;
  const chats = openWebUiChats(tag).map((chat) => ({ ...chat, id: `${chat.id}${tag}` }));
  await threads.goto();
  const importer = new ImportDialog(page);
  await importer.open();
  await expect(importer.dialog).toContainText("an Open WebUI or LibreChat chat export (.json)");
  await importer.choose({ name: "chat-export-1717236200000.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(chats)) });
  await expect(importer.summary).toContainText("Import finished.", { timeout: 60_000 });
  await expect(importer.summary).toContainText("2 imported, 0 already there");
  await expect(importer.summary).toContainText("1 conversation and 1 attachment of imported conversations skipped:");
  await expect(importer.summary).toContainText(`New Chat${tag}: empty conversation`);
  await expect(importer.summary).toContainText("attachment “feeding-notes.pdf”: not included in the export");
  await importer.close();

  await threads.searchFor(`Sourdough starter${tag}`);
  await threads.open(`Sourdough starter${tag}`);
  await expect(thread.userMessages.first()).toContainText("How do I feed a sourdough starter?");
  // Markup in a message is its text, shown as written.
  await expect(thread.userMessages.last()).toContainText("And with <b>rye</b> flour?");
  await expect(thread.lastReplyText()).toContainText("Rye ferments faster: feed it twice a day.");
  await expect(thread.text("A regenerated answer the user moved away from.")).toHaveCount(0);
  await expect(thread.text("They want a routine.")).toHaveCount(0);
});
