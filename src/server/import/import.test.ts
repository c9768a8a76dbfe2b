/**
 * Imports end to end over real dynalite and s3rver: the upload path (startImport), the job item, the threads and
 * elements written, re-import, and hostile files made in the test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestServices, sessionUser } from "../../../test/callers";
import { tableOn } from "../../../test/data-fixtures";
import { previewKeyOf } from "@/data";
import { chatGptZip, CLAUDE_FIXTURE, declareSize, KYOTO_PNG, renameEntry, zipOf, CHATGPT_FIXTURE } from "../../../test/import-archives";
import { deepLibreChatExport, libreChatExport, openWebUiChats } from "../../../test/self-hosted-exports";
import { importUploadKey } from "@/data";
import type { ImportProblem } from "@/lib/shared/import-problem";
import { zhCN } from "@/lib/shared/i18n/zh-CN";
import type { SessionUser } from "../auth/session-user";
import { localImportFile } from "./import-file";
import { ALREADY_RUNNING, startImport, THIS_RUNNER, waitForImport } from "./import-jobs";

type TestServices = Awaited<ReturnType<typeof createTestServices>>;
let services: TestServices;

beforeAll(async () => {
  services = await createTestServices();
});
afterAll(async () => {
  await services.close();
});

async function importFile(user: SessionUser, bytes: Buffer | string, fileName = "export.zip") {
  const data = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
  const started = await startImport(services, user, { fileName, contentLength: data.length, body: new Blob([new Uint8Array(data)]).stream() });
  if (started.status !== 202) throw new Error(started.error);
  expect(started.job).toMatchObject({ upload: "storage", uploadBytes: data.length, runner: THIS_RUNNER });
  await waitForImport(started.job.jobId);
  // However the job ended, its upload is gone from storage.
  await expect(services.storage.readRange(importUploadKey(started.job.jobId), { start: 0, end: 1 })).rejects.toMatchObject({ code: "not_found" });
  return callerFor(services, user).imports.get({ jobId: started.job.jobId });
}

async function threadsOf(user: SessionUser) {
  return (await callerFor(services, user).threads.list({ first: 100 })).data;
}

describe("importing a ChatGPT export", () => {
  const alice = sessionUser();
  let job: Awaited<ReturnType<typeof importFile>>;
  beforeAll(async () => {
    job = await importFile(alice, await chatGptZip());
  });

  it("imports the conversations, skips the empty one with its reason, and says so in the job", () => {
    expect(job).toMatchObject({ status: "done", format: "chatgpt", total: 3, done: 3, imported: 2, existing: 0, attachments: 1, skippedCount: 1, skippedAttachments: 0, cancelRequested: false, error: null });
    expect(job.skipped).toEqual([{ title: "Nothing to see", reason: "empty conversation", problem: { code: "empty" } }]);
  });

  it("writes Chainlit-shaped threads with the titles and original times, the current branch only", async () => {
    const list = await threadsOf(alice);
    expect(list.map((t) => t.name)).toEqual(["Haiku about rain", "Trip to Kyoto"]);
    const kyoto = await callerFor(services, alice).threads.get({ threadId: list[1]!.id });
    expect(kyoto).toMatchObject({ userId: alice.id, createdAt: "2024-05-01T10:00:00.500000Z", updatedAt: "2024-05-01T10:10:00.250000Z" });
    expect(kyoto.steps.map((s) => [s.type, s.name])).toEqual([
      ["user_message", alice.id],
      ["run", "on_message"],
      ["assistant_message", "ChatGPT"],
      ["user_message", alice.id],
      ["run", "on_message"],
      ["tool", "python"],
      ["tool", "python"],
      ["assistant_message", "ChatGPT"],
    ]);
    expect(kyoto.steps.map((s) => s.output).join("\n")).not.toContain("abandoned branch");
  });

  it("stores the image from the zip as an element of its message, readable back from storage", async () => {
    const [, kyotoSummary] = await threadsOf(alice);
    const kyoto = await services.data.getThread(kyotoSummary!.id);
    expect(kyoto!.elements).toHaveLength(1);
    const [image] = kyoto!.elements;
    expect(image).toMatchObject({ type: "image", mime: "image/png", name: "kyoto-map.png", forId: kyoto!.steps[0]!.id, bytes: KYOTO_PNG.length });
    expect(Buffer.from(await services.storage.read(image!.objectKey!, { maxBytes: 1_000_000 }))).toEqual(KYOTO_PNG);
    // Its preview was made as it was stored: the thread's read signs it, no view needs to make it.
    expect(image!.previewKey).toBe(previewKeyOf(image!.threadId, image!.id, image!.objectKey!));
    expect((await fetch(image!.previewUrl!)).headers.get("content-type")).toBe("image/webp");
  });

  it("imported threads are searchable at once, by words inside their messages and the attachment's name", async () => {
    // Someone who has searched before: their catch-up watermark is past 2024, where the imported threads' times sit.
    const carol = sessionUser();
    const caller = callerFor(services, carol);
    await caller.threads.create();
    await caller.search.query({ query: "anything" });
    await importFile(carol, await chatGptZip());
    const kyoto = (await threadsOf(carol)).find((t) => t.name === "Trip to Kyoto");
    const search = (query: string) => caller.search.query({ query }).then((page) => page.data.map((hit) => hit.id));
    expect(await search("arashiyama")).toEqual([kyoto!.id]);
    expect(await search("train fares")).toEqual([kyoto!.id]);
    expect(await search("kyoto-map")).toEqual([kyoto!.id]);
    expect(await search("abandoned")).toEqual([]);
  });

  it("importing the same file again creates no duplicate: every conversation is reported as already there", async () => {
    // Signed links change every second: compare what is stored.
    const stored = async (id: string) => {
      const thread = (await services.data.getThread(id))!;
      return { ...thread, elements: thread.elements.map(({ url: _url, urlExpiresAt: _expires, previewUrl: _preview, previewUrlExpiresAt: _previewExpires, ...element }) => element) };
    };
    const before = await stored((await threadsOf(alice))[1]!.id);
    const again = await importFile(alice, await chatGptZip());
    expect(again).toMatchObject({ status: "done", imported: 0, existing: 2, attachments: 0, skippedCount: 1 });
    expect(await threadsOf(alice)).toHaveLength(2);
    expect(await stored(before.id)).toEqual(before);
  });

  it("the same file imported by bob gives bob his own threads and leaves alice's alone", async () => {
    const bob = sessionUser();
    const aliceIds = (await threadsOf(alice)).map((t) => t.id);
    expect(await importFile(bob, await chatGptZip())).toMatchObject({ imported: 2, existing: 0 });
    const bobIds = (await threadsOf(bob)).map((t) => t.id);
    expect(bobIds.filter((id) => aliceIds.includes(id))).toEqual([]);
    expect((await threadsOf(alice)).map((t) => t.id)).toEqual(aliceIds);
  });
});

describe("importing other formats", () => {
  it("a bare Claude conversations.json: messages, the attachment's extracted text as a file, the empty one skipped", async () => {
    const user = sessionUser();
    const job = await importFile(user, CLAUDE_FIXTURE, "conversations.json");
    expect(job).toMatchObject({ status: "done", format: "claude", imported: 1, attachments: 1, skipped: [{ title: "Conversation 2", reason: "empty conversation" }] });
    const [summary] = await threadsOf(user);
    const thread = await services.data.getThread(summary!.id);
    expect(thread!.name).toBe("Review my cover letter");
    expect(thread!.steps.map((s) => s.type)).toEqual(["user_message", "run", "assistant_message"]);
    const [file] = thread!.elements;
    expect(file).toMatchObject({ name: "cover-letter.pdf.txt", mime: "text/plain", forId: thread!.steps[0]!.id });
    expect(Buffer.from(await services.storage.read(file!.objectKey!, { maxBytes: 10_000 })).toString()).toBe("Dear hiring team, I am writing to apply...");
  });

  it("a file that is no known export is refused, saying what was expected", async () => {
    const job = await importFile(sessionUser(), JSON.stringify({ hello: "world" }), "notes.json");
    expect(job).toMatchObject({ status: "failed", imported: 0 });
    expect(job.error).toMatch(/Expected a ChatGPT or Claude data export/);
    // Beside the English, the problem the dialog words in the reader's language.
    expect(job.errorProblem).toEqual({ code: "unknown-json" });
    expect(zhCN.importProblem(job.errorProblem as ImportProblem)).toMatch(/^Threadbook 无法识别这个 JSON 导出。应为 ChatGPT 或 Claude 的数据导出/);
    const zip = await importFile(sessionUser(), await zipOf([{ name: "photo.png", data: KYOTO_PNG }]));
    expect(zip.error).toMatch(/no conversations.json or index.json/);
    expect(zip.errorProblem).toEqual({ code: "no-index" });
  });
});

describe("importing Open WebUI and LibreChat exports", () => {
  it("an Open WebUI export: the branch its user last saw, the model on each reply, pinned as it was; the file it does not carry and the empty chat counted as skipped", async () => {
    const user = sessionUser();
    const job = await importFile(user, JSON.stringify(openWebUiChats()), "chat-export-1717236200000.json");
    expect(job).toMatchObject({ status: "done", format: "open-webui", total: 3, done: 3, imported: 2, existing: 0, attachments: 0, skippedCount: 2, skippedAttachments: 1 });
    expect(job.skipped).toEqual([
      { title: "New Chat", reason: "empty conversation", problem: { code: "empty" } },
      { title: "Sourdough starter", reason: "attachment “feeding-notes.pdf”: not included in the export", problem: { code: "attachment", name: "feeding-notes.pdf", problem: { kind: "missing" } } },
    ]);
    const list = await threadsOf(user);
    expect(list.map((t) => t.name)).toEqual(["Sourdough starter", "Greetings"]);
    expect((await callerFor(services, user).threads.pinned()).map((t) => t.name)).toEqual(["Sourdough starter"]);
    const thread = await callerFor(services, user).threads.get({ threadId: list[0]!.id });
    expect(thread).toMatchObject({ createdAt: "2024-06-01T10:00:00.000000Z", updatedAt: "2024-06-01T10:02:30.000000Z" });
    expect((await services.data.getThread(thread.id))!.metadata).toEqual({ importedFrom: "open-webui", sourceId: "owui-chat-1" });
    expect(thread.steps.filter((s) => s.type !== "run").map((s) => [s.type, s.type === "user_message" ? null : s.name, s.output])).toEqual([
      ["user_message", null, "How do I feed a sourdough starter?"],
      ["assistant_message", "Llama 3.1 8B", "Equal weights of flour and water, once a day."],
      ["user_message", null, "And with <b>rye</b> flour?"],
      ["assistant_message", "qwen2.5:7b", "Rye ferments faster: feed it twice a day."],
    ]);
    expect(thread.elements).toEqual([]);
    // Its tags (`meta.tags`; the other chat's in `chat.tags` as rows) are thread tags: listed by them, found within them.
    expect(thread.tags).toEqual(["baking"]);
    expect((await callerFor(services, user).threads.list({ tag: "Baking" })).data.map((t) => t.name)).toEqual(["Sourdough starter"]);
    expect((await callerFor(services, user).threads.list({ tag: "languages" })).data.map((t) => t.name)).toEqual(["Greetings"]);
    expect((await callerFor(services, user).search.query({ query: "flour", tag: "baking" })).data.map((t) => t.name)).toEqual(["Sourdough starter"]);

    // Imported again: nothing duplicated, nothing changed, and nothing counted twice.
    const again = await importFile(user, JSON.stringify(openWebUiChats()), "chat-export-1717236200000.json");
    expect(again).toMatchObject({ status: "done", imported: 0, existing: 2, skippedCount: 1, skippedAttachments: 0 });
    expect(await threadsOf(user)).toEqual(list);
  });

  it("an image Open WebUI carries as a data URL is imported with its bytes; a data URL that is no base64 image is skipped as not in the export", async () => {
    const user = sessionUser();
    const files = [
      { type: "image", url: `data:image/png;base64,${KYOTO_PNG.toString("base64")}` },
      { type: "image", url: "data:image/png;base64,not*base64!" },
      { type: "image", url: "data:text/html;base64,PHNjcmlwdD4=" },
    ];
    const chat = { id: "owui-img", title: "A photo", chat: { messages: [{ id: "p1", role: "user", content: "What is on this map?", timestamp: 1717236000, files }, { id: "p2", parentId: "p1", role: "assistant", content: "Kyoto.", timestamp: 1717236001 }] }, created_at: 1717236000, updated_at: 1717236001 };
    const job = await importFile(user, JSON.stringify([chat]), "chat-export.json");
    expect(job).toMatchObject({ status: "done", imported: 1, attachments: 1, skippedAttachments: 2 });
    const [summary] = await threadsOf(user);
    const thread = await callerFor(services, user).threads.get({ threadId: summary!.id });
    const [image] = thread.elements;
    expect(thread.elements).toHaveLength(1);
    expect(image).toMatchObject({ type: "image", mime: "image/png", name: "image-1.png", forId: thread.steps[0]!.id, bytes: KYOTO_PNG.length });
    const stored = (await services.data.getThread(thread.id))!.elements![0]!;
    expect(Buffer.from(await services.storage.read(stored.objectKey!, { maxBytes: 1_000_000 }))).toEqual(KYOTO_PNG);
  });

  it("hostile: an attachment whose bytes are not its type (a .png of HTML, in a zip or a data URL) is kept as a download, never as an image", async () => {
    const html = Buffer.from("<!doctype html><script>alert(document.domain)</script>");
    // From a zip entry (read as a stream): the ChatGPT export's map holds a page.
    const alice = sessionUser();
    const zipJob = await importFile(alice, await zipOf([
      { name: "conversations.json", data: CHATGPT_FIXTURE },
      { name: "file-KyotoMap01-kyoto-map.png", data: html, compress: false },
    ]));
    expect(zipJob).toMatchObject({ status: "done", imported: 2, attachments: 1, skippedAttachments: 0 });
    const kyoto = (await threadsOf(alice)).find((t) => t.name === "Trip to Kyoto");
    const [fromZip] = (await services.data.getThread(kyoto!.id))!.elements;
    // From a data URL (decoded bytes): Open WebUI's pasted image is a page too.
    const bob = sessionUser();
    const chat = { id: "owui-lie", title: "A page", chat: { messages: [{ id: "p1", role: "user", content: "Look", timestamp: 1717236000, files: [{ type: "image", url: `data:image/png;base64,${html.toString("base64")}` }] }] }, created_at: 1717236000, updated_at: 1717236000 };
    expect(await importFile(bob, JSON.stringify([chat]), "chat-export.json")).toMatchObject({ status: "done", imported: 1, attachments: 1 });
    const [fromDataUrl] = (await services.data.getThread((await threadsOf(bob))[0]!.id))!.elements;
    for (const element of [fromZip!, fromDataUrl!]) {
      // Stored whole, as a file to download: no image type, so no view draws it and no preview is made of it.
      expect(element).toMatchObject({ type: "file", mime: "application/octet-stream", bytes: html.length });
      expect(element.previewKey ?? null).toBeNull();
      expect(Buffer.from(await services.storage.read(element.objectKey!, { maxBytes: 1_000_000 }))).toEqual(html);
      const served = await fetch((await services.data.getElement(element.threadId, element.id))!.url!);
      expect(served.headers.get("content-type")).toBe("application/octet-stream");
      expect(served.headers.get("content-disposition")).toMatch(/^attachment/);
    }
  });

  it("a LibreChat export as its dialog makes it (all branches, recursive): the branch ending at the latest message; again, nothing duplicated", async () => {
    const user = sessionUser();
    const job = await importFile(user, JSON.stringify(libreChatExport()), "Tax brackets.json");
    expect(job).toMatchObject({ status: "done", format: "librechat", total: 1, imported: 1, skippedCount: 1, skippedAttachments: 1 });
    const [summary] = await threadsOf(user);
    const thread = await callerFor(services, user).threads.get({ threadId: summary!.id });
    expect(thread).toMatchObject({ name: "Tax brackets", createdAt: "2024-06-01T10:00:00.000000Z", updatedAt: "2024-06-01T10:02:05.000000Z" });
    expect((await services.data.getThread(thread.id))!.metadata).toEqual({ importedFrom: "librechat", sourceId: "lc-conv-1" });
    expect(thread.steps.filter((s) => s.type !== "run").map((s) => s.output)).toEqual([
      "Explain tax brackets.",
      "Each bracket taxes only the income inside it.",
      "And <script>alert(1)</script> deductions?",
      "Deductions lower the income that is taxed.",
    ]);
    expect(await importFile(user, JSON.stringify(libreChatExport()), "Tax brackets.json")).toMatchObject({ status: "done", imported: 0, existing: 1 });
    expect(await threadsOf(user)).toHaveLength(1);
  });

  it("hostile Open WebUI records are skipped with their reasons, never a failed job: a cycle, a huge message, no id, not a chat", async () => {
    const user = sessionUser();
    const cycle = { a: { id: "a", parentId: "b", role: "user", content: "round", timestamp: 1 }, b: { id: "b", parentId: "a", role: "assistant", content: "and round", timestamp: 2 } };
    const file = [
      { id: "cycle", title: "Cycle", chat: { history: { messages: cycle, currentId: "a" } } },
      { id: "huge", title: "Huge", chat: { messages: [{ id: "1", role: "user", content: "x".repeat(3 * 1024 * 1024) }] } },
      { title: "No id", chat: { messages: [{ id: "1", role: "user", content: "hi" }] } },
      { id: "odd", title: "Odd content", chat: { messages: [{ id: "1", role: "user", content: { html: "<b>" } }, { id: "2", role: "tool", content: "x" }] } },
      42,
    ];
    const job = await importFile(user, JSON.stringify(file), "chat-export.json");
    expect(job).toMatchObject({ status: "done", format: "open-webui", total: 5, done: 5, imported: 2 });
    expect(job.skipped.map((s) => [s.title, s.reason])).toEqual([
      ["No id", "the conversation has no id"],
      ["Odd content", "empty conversation"],
      ["Conversation 5", "not a conversation (expected an object)"],
    ]);
    const names = (await threadsOf(user)).map((t) => t.name).sort();
    expect(names).toEqual(["Cycle", "Huge"]);
  });

  it("a recursive LibreChat export of 150 turns (600 levels deep) is read; deep JSON of any other start is still refused", async () => {
    const user = sessionUser();
    const job = await importFile(user, JSON.stringify(deepLibreChatExport(150)), "long.json");
    expect(job).toMatchObject({ status: "done", format: "librechat", imported: 1 });
    const [summary] = await threadsOf(user);
    expect((await services.data.getThread(summary!.id))!.steps).toHaveLength(450);
    // The same depth under another first key, or a Threadbook thread posing as LibreChat's: the usual limit, or refused.
    const other = await importFile(sessionUser(), JSON.stringify({ exportedBy: "someone", ...deepLibreChatExport(150) }), "long.json");
    expect(other).toMatchObject({ status: "failed", error: expect.stringMatching(/nested deeper than 64 levels/) });
    const posing = { conversationId: "c", threadbookExport: 1, thread: { id: "t", name: "Posing", steps: [{ id: "s", type: "user_message", output: "hi" }] } };
    expect(await importFile(sessionUser(), JSON.stringify(posing), "thread.json")).toMatchObject({ status: "failed", errorProblem: { code: "unknown-json" } });
  });
});

describe("hostile files", () => {
  it("a zip bomb (an entry that inflates a thousand times) is refused before it is inflated", async () => {
    const bomb = await zipOf([{ name: "conversations.json", data: Buffer.alloc(8 * 1024 * 1024, 0x20) }]);
    expect(bomb.length).toBeLessThan(100_000);
    const job = await importFile(sessionUser(), bomb);
    expect(job).toMatchObject({ status: "failed", imported: 0 });
    expect(job.error).toMatch(/zip bomb/);
  });

  it("a bomb posing as an attachment skips that file with its reason; the conversation is still imported", async () => {
    const zip = await zipOf([
      { name: "conversations.json", data: CHATGPT_FIXTURE },
      { name: "file-KyotoMap01-kyoto-map.png", data: Buffer.alloc(8 * 1024 * 1024) },
    ]);
    const job = await importFile(sessionUser(), zip);
    // The summary counts it apart from the conversations: both were imported.
    expect(job).toMatchObject({ status: "done", imported: 2, attachments: 0, skippedCount: 2, skippedAttachments: 1 });
    expect(job.skipped).toContainEqual({
      title: "Trip to Kyoto",
      reason: expect.stringMatching(/attachment “kyoto-map.png”: .*zip bomb/),
      problem: { code: "attachment", name: "kyoto-map.png", problem: { kind: "refused", refusal: { kind: "bomb", ratio: expect.any(Number) } } },
    });
  });

  it("an entry declaring 2 GB is refused from the central directory, without reading it", async () => {
    const zip = declareSize(await zipOf([{ name: "conversations.json", data: CHATGPT_FIXTURE }]), "conversations.json", 0x80000000);
    const job = await importFile(sessionUser(), zip);
    expect(job).toMatchObject({ status: "failed" });
    expect(job.error).toMatch(/conversations.json was not read: 2.0 GB is over the 1024 MB limit/);
  });

  it("path traversal entry names are refused, and nothing is written", async () => {
    const user = sessionUser();
    const zip = renameEntry(
      await zipOf([{ name: "conversations.json", data: CHATGPT_FIXTURE }, { name: "xx/xx/xx/etc/passwd", data: "x" }]),
      "xx/xx/xx/etc/passwd",
      "../../../etc/passwd",
    );
    const job = await importFile(user, zip);
    expect(job).toMatchObject({ status: "failed", imported: 0 });
    expect(job.error).toMatch(/zip file is damaged or not supported \(invalid relative path/);
    expect(await threadsOf(user)).toEqual([]);
  });

  it("JSON nested 100,000 deep is refused at the depth limit", async () => {
    const deep = `[{"mapping": ${"[".repeat(100_000)}${"]".repeat(100_000)}}]`;
    const job = await importFile(sessionUser(), await zipOf([{ name: "conversations.json", data: deep }]));
    expect(job).toMatchObject({ status: "failed" });
    expect(job.error).toMatch(/nested deeper than 64 levels/);
  });

  it("a conversation the table cannot hold is skipped with its reason, not a failed job", async () => {
    const huge = {
      threadbookExport: 1,
      thread: { id: "big", name: "Huge metadata", createdAt: "2024-01-01T00:00:00Z", steps: [{ id: "s", type: "user_message", output: "hi", metadata: { blob: "x".repeat(500_000) } }] },
    };
    const job = await importFile(sessionUser(), JSON.stringify(huge), "thread.json");
    expect(job).toMatchObject({ status: "done", imported: 0, skipped: [{ title: "Huge metadata", reason: "a message is too large to store" }] });
  });

  it("a damaged zip is refused with a clear message", async () => {
    const zip = await chatGptZip();
    const job = await importFile(sessionUser(), Buffer.concat([zip.subarray(0, 200), Buffer.alloc(64)]));
    expect(job).toMatchObject({ status: "failed" });
    expect(job.error).toMatch(/not a readable zip file/);
  });

  it("a second import while one is running is refused with 409, before its upload is stored", async () => {
    const user = sessionUser();
    await services.data.createImportJob(user.id, `${Date.now().toString(36).padStart(10, "0")}-${crypto.randomUUID()}`, { fileName: "first.zip", upload: "storage", runner: THIS_RUNNER });
    const second = await startImport(services, user, { fileName: "second.json", contentLength: 2, body: new Blob(["[]"]).stream() });
    expect(second).toEqual({ status: 409, error: ALREADY_RUNNING, refusal: { code: "import-running" } });
  });

  it("is refused with 409 while a delete job of the user runs, which would delete what it imports", async () => {
    const user = sessionUser();
    await services.data.startDeletionJob(user.id, "threads", "a-live-runner");
    const refused = await startImport(services, user, { fileName: "export.json", contentLength: 2, body: new Blob(["[]"]).stream() });
    expect(refused).toMatchObject({ status: 409, refusal: { code: "deletion-running" } });
    expect(await services.data.listImportJobs(user.id)).toEqual([]);
  });

  it("an upload over IMPORT_MAX_MB is refused with 413: declared, before a job exists; undeclared, counted on the way to storage, nothing kept", async () => {
    const small = { ...services, env: { ...services.env, IMPORT_MAX_MB: 1 } };
    const data = new Uint8Array(1024 * 1024 + 1);
    const first = sessionUser();
    const declared = await startImport(small, first, { fileName: "x.zip", contentLength: data.length, body: new Blob([data]).stream() });
    expect(declared).toMatchObject({ status: 413 });
    expect(await services.data.listImportJobs(first.id)).toEqual([]);
    const second = sessionUser();
    const undeclared = await startImport(small, second, { fileName: "x.zip", contentLength: null, body: new Blob([data]).stream() });
    expect(undeclared).toMatchObject({ status: 413 });
    const [job] = await services.data.listImportJobs(second.id);
    expect(job).toMatchObject({ status: "failed", error: expect.stringMatching(/larger than the 1 MB/) });
    expect(await services.storage.deleteFile(importUploadKey(job!.jobId))).toBe(false);
  });
});

describe("ownership", () => {
  it("bob can neither see nor cancel alice's job: the same NOT_FOUND as a missing one", async () => {
    const alice = sessionUser();
    const bob = sessionUser();
    const jobId = `0000000000-${crypto.randomUUID()}`;
    await services.data.createImportJob(alice.id, jobId, { fileName: "export.zip", upload: "storage", runner: THIS_RUNNER });
    await expect(callerFor(services, bob).imports.get({ jobId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(callerFor(services, bob).imports.cancel({ jobId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await callerFor(services, bob).imports.latest()).toBeNull();
    expect(await callerFor(services, alice).imports.get({ jobId })).toMatchObject({ status: "running", cancelRequested: false });
  });

  it("a Threadbook export naming alice's thread id gives bob a thread of his own; alice's is untouched", async () => {
    const alice = sessionUser();
    const bob = sessionUser();
    const { id: aliceThread } = await callerFor(services, alice).threads.create();
    await services.data.updateThread(aliceThread, { name: "Alice's" });
    const before = await services.data.getThread(aliceThread);
    const crafted = {
      threadbookExport: 1,
      thread: { id: aliceThread, name: "Crafted", createdAt: "2024-01-01T00:00:00Z", updatedAt: "2024-01-01T00:00:00Z", userId: alice.id, steps: [{ id: "s1", type: "user_message", output: "hi", createdAt: "2024-01-01T00:00:01Z" }], elements: [] },
    };
    const job = await importFile(bob, JSON.stringify(crafted), "thread.json");
    expect(job).toMatchObject({ status: "done", format: "threadbook", imported: 1 });
    expect(await services.data.getThread(aliceThread)).toEqual(before);
    const [bobThread] = await threadsOf(bob);
    expect(bobThread!.id).not.toBe(aliceThread);
    expect(await services.data.getThread(bobThread!.id)).toMatchObject({ userId: bob.id, name: "Crafted", steps: [{ type: "user_message", name: bob.id, output: "hi" }] });
  });

  it("a Threadbook thread's tags come back, checked as an add through the tags router: at most 20 of at most 40 characters", async () => {
    const carol = sessionUser();
    const tags = ["Travel", "travel", "", "x".repeat(41), 5, "  Japan   2024 ", ...Array.from({ length: 30 }, (_, i) => `t${i}`)];
    const exported = {
      threadbookExport: 1,
      thread: { id: "5d0c6c1a-1111-4222-8333-444455556666", name: "Tagged", createdAt: "2024-01-01T00:00:00Z", updatedAt: "2024-01-01T00:00:00Z", tags, steps: [{ id: "s1", type: "user_message", output: "hi", createdAt: "2024-01-01T00:00:01Z" }], elements: [] },
    };
    expect(await importFile(carol, JSON.stringify(exported), "thread.json")).toMatchObject({ status: "done", imported: 1 });
    const [thread] = await threadsOf(carol);
    expect((await services.data.getThread(thread!.id))!.tags).toEqual(["Travel", "Japan 2024", ...Array.from({ length: 18 }, (_, i) => `t${i}`)]);
    // A thread of the file without tags is written without the attribute, as Chainlit leaves one it never tagged.
    const untagged = { ...exported, thread: { ...exported.thread, id: "5d0c6c1a-1111-4222-8333-444455556667", name: "Untagged", tags: undefined } };
    expect(await importFile(carol, JSON.stringify(untagged), "thread.json")).toMatchObject({ status: "done", imported: 1 });
    const plain = (await threadsOf(carol)).find((t) => t.name === "Untagged")!;
    expect((await services.data.getThread(plain.id))!.tags).toEqual([]);
    expect(await tableOn(services.client, services.tableName).raw(`THREAD#${plain.id}`, "THREAD")).not.toHaveProperty("tags");
  });

  it("a Threadbook export imported back by its owner adds no copy of a thread still there, and brings back one deleted since", async () => {
    const alice = sessionUser();
    const asAlice = callerFor(services, alice);
    const [kept, deleted] = [(await asAlice.threads.create()).id, (await asAlice.threads.create()).id];
    const exported = (id: string, name: string) => ({
      threadbookExport: 1,
      thread: { id, name, createdAt: "2024-01-01T00:00:00Z", updatedAt: "2024-01-01T00:00:00Z", userId: alice.id, steps: [{ id: "s1", type: "user_message", output: `about ${name}`, createdAt: "2024-01-01T00:00:01Z" }], elements: [] },
    });
    await services.data.updateThread(kept, { name: "Kept" });
    expect(await importFile(alice, JSON.stringify(exported(kept, "Kept")), "thread.json")).toMatchObject({ status: "done", imported: 0, existing: 1 });
    expect((await threadsOf(alice)).map((t) => t.name).sort()).toEqual([null, "Kept"].sort());

    await asAlice.threads.delete({ threadId: deleted });
    expect(await importFile(alice, JSON.stringify(exported(deleted, "Deleted")), "thread.json")).toMatchObject({ status: "done", imported: 1, existing: 0 });
    expect((await threadsOf(alice)).map((t) => t.name).sort()).toEqual(["Deleted", "Kept"]);
  });

  it("a cancel asked for before the first batch stops the job with nothing imported", async () => {
    const user = sessionUser();
    const { runImport } = await import("./run-import");
    const { importLimits } = await import("./import-limits");
    const { mkdtemp, writeFile } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(await mkdtemp(join(tmpdir(), "tb-import-")), "conversations.json");
    await writeFile(file, CHATGPT_FIXTURE);
    const jobId = `0000000001-${crypto.randomUUID()}`;
    await services.data.createImportJob(user.id, jobId, { fileName: "conversations.json", upload: "local", runner: THIS_RUNNER });
    await callerFor(services, user).imports.cancel({ jobId });
    await runImport({ data: services.data, userId: user.id, jobId, file: await localImportFile(file), limits: importLimits(services.env), runner: THIS_RUNNER });
    expect(await callerFor(services, user).imports.get({ jobId })).toMatchObject({ status: "cancelled", imported: 0 });
    expect(await threadsOf(user)).toEqual([]);
    await expect(callerFor(services, user).imports.cancel({ jobId })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("round trips", () => {
  it("25 conversations cost a handful of DynamoDB requests, not one per step", async () => {
    const conversations = Array.from({ length: 25 }, (_, i) => ({
      uuid: `conv-${i}`,
      name: `Conversation ${i}`,
      created_at: "2024-05-02T09:00:00Z",
      chat_messages: [
        { uuid: `q${i}`, sender: "human", text: "Question", created_at: "2024-05-02T09:00:01Z" },
        { uuid: `a${i}`, sender: "assistant", text: "Answer", created_at: "2024-05-02T09:00:02Z" },
      ],
    }));
    const user = sessionUser();
    services.requests.reset();
    const job = await importFile(user, JSON.stringify(conversations), "conversations.json");
    expect(job).toMatchObject({ status: "done", imported: 25 });
    // The running-import check (1 Query) and, beside it, the day's upload budget (1 UpdateItem) and the delete-job check (1 GetItem); 75 steps (3 BatchWriteItems), their full-text index (75 sources: 100
    // postings in 4, then 75 docs in 3); 1 BatchGetItem; per thread its claim (1 PutItem), the claim's check (1 Query) and
    // the THREAD item (1 PutItem); job create, its stored size, 2 progress updates and the end; the get; the user's
    // unfinished claims, looked for before the job ends (1 Query).
    expect(Object.fromEntries(services.requests.byOperation)).toEqual({ QueryCommand: 27, PutItemCommand: 51, BatchGetItemCommand: 1, BatchWriteItemCommand: 10, UpdateItemCommand: 5, GetItemCommand: 2 });
  });

  it("the bench's conversations (6 shown messages, an edited-away branch) cost exactly 7.3 requests each, the job's own writes included", async () => {
    const { benchConversation } = await import("../../../scripts/bench/import");
    const { runImport } = await import("./run-import");
    const { importLimits } = await import("./import-limits");
    const { mkdtemp, writeFile } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const count = 100;
    const file = join(await mkdtemp(join(tmpdir(), "tb-import-")), "conversations.json");
    await writeFile(file, JSON.stringify(Array.from({ length: count }, (_, i) => benchConversation(i))));
    const user = sessionUser();
    const jobId = `0000000002-${crypto.randomUUID()}`;
    await services.data.createImportJob(user.id, jobId, { fileName: "conversations.json", upload: "local", runner: THIS_RUNNER });
    services.requests.reset();
    const source = await localImportFile(file);
    // No heartbeat: on a slow machine one would fall inside the run and be counted.
    const outcome = await runImport({ data: services.data, userId: user.id, jobId, file: source, limits: importLimits(services.env), runner: THIS_RUNNER, heartbeatMs: 3_600_000 });
    expect(outcome).toMatchObject({ status: "done", imported: count });
    // Per batch of 25: 1 BatchGetItem; 200 steps with their 2,225 postings (89 a conversation: one per distinct
    // word of each message and of the title) in 97 BatchWriteItems, 175 docs in 7; per thread its claim (1 PutItem),
    // the claim's check (1 Query) and the THREAD item (1 conditional PutItem); and 1 job update. Plus the job's first
    // progress write (the count) and its end, and the user's unfinished claims looked for before its end (1 Query):
    // 727 requests, 7.27 a conversation (7.26 before that Query).
    expect(Object.fromEntries(services.requests.byOperation)).toEqual({ BatchGetItemCommand: 4, BatchWriteItemCommand: 416, PutItemCommand: 200, QueryCommand: 101, UpdateItemCommand: 6 });
    const total = [...services.requests.byOperation.values()].reduce((a, b) => a + b, 0);
    expect(total / count).toBeCloseTo(7.3, 1);
  });
});
