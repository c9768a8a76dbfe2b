import { beforeAll, describe, expect, it } from "vitest";
import { chainlitCreateUser, chainlitDeleteFeedback, chainlitDeleteThread, chainlitThread, testTable, uid, type TestTable } from "../test/data-fixtures";
import { importUploadKey } from "../src/data";
import { freshStorage } from "../test/storage-backends";
import { doctor, importUploadsIn, parseDoctorArgs } from "./doctor";

let table: TestTable;
beforeAll(async () => {
  table = await testTable(); // the doctor scans the whole table: this file's own
});

/** Scan pages of 4 items: the table below spans several, so paging is exercised. */
async function run(fix: boolean) {
  const lines: string[] = [];
  const progress: string[] = [];
  const code = await doctor(table.layer(), fix, { out: (line) => lines.push(line), progress: (line) => progress.push(line) }, { pageSize: 4 });
  return { code, lines, progress, text: lines.join("\n") };
}

describe("npm run doctor", () => {
  it("reports, repairs and then finds nothing on a table both apps wrote", async () => {
    const layer = table.layer();
    const userId = uid("u-");
    // Chainlit's create_user: a USER item and nothing else.
    await chainlitCreateUser(table, userId, {}, "2025-01-01T00:00:00Z");
    // Rated in Chainlit: a 👍 in a step, no marker.
    const rated = chainlitThread(userId, uid("t-"), { at: "2025-02-01T00:00:00.000000Z" });
    // Unnamed by Chainlit (attachment-only first message), also rated.
    const unnamed = chainlitThread(userId, uid("t-"), { at: "2025-02-02T00:00:00.000000Z", name: null });
    for (const item of [...rated.items, ...unnamed.items]) await table.putRaw(item);
    // Rated in Threadbook, un-rated in Chainlit without a session bump: the marker disagrees.
    const unrated = uid("t-");
    const step = uid("s-");
    await layer.updateThread(unrated, { userId, name: "unrated" });
    await layer.createStep({ id: step, threadId: unrated, type: "run", output: "x" });
    await layer.upsertFeedback({ forId: step, threadId: unrated, value: 1 }, { threadUserId: userId });
    await chainlitDeleteFeedback(table, unrated, step);
    // Deleted by Chainlit: Threadbook's marker and a step part stay.
    const deleted = uid("t-");
    await layer.updateThread(deleted, { userId, name: "deleted" });
    await layer.createStep({ id: step, threadId: deleted, type: "run", output: "x" });
    await layer.upsertFeedback({ forId: step, threadId: deleted, value: 0 }, { threadUserId: userId });
    await table.putRaw({ PK: { S: `THREAD#${deleted}` }, SK: { S: `PART#${step}#output#0000` }, text: { S: "x" } });
    await chainlitDeleteThread(table, deleted);

    // Written by Threadbook, never listed with the filter since: consistent, but its index state lags.
    const quiet = uid("t-");
    await layer.updateThread(quiet, { userId, name: "quiet" });

    const report = await run(false);
    expect(report.code).toBe(1);
    expect(report.progress.length).toBeGreaterThan(2);
    expect(report.progress.at(-1)).toMatch(/^scanned \d+ page\(s\), \d+ item\(s\)…$/);
    expect(report.text).toContain("threads the feedback filter or the search has not caught up with yet: 1");
    expect(report.text).toContain("feedback markers that disagree with the steps: 3");
    expect(report.text).toContain("Threadbook items left by a deleted thread: 1");
    expect(report.text).toContain("users without their AUTH item: 1");
    expect(report.text).toContain("threads without a name: 1");
    expect(report.text).toContain(`${deleted}: 2 item(s) of a deleted thread: FEEDBACK#0, PART#${step}#output#0000`);
    // Reporting changed nothing.
    expect(await table.partitionSks(deleted)).toHaveLength(2);

    const fixed = await run(true);
    expect(fixed.text).toContain("feedback markers that disagree with the steps: 3, repaired 3");
    expect(fixed.text).toContain("threads without a name: 1, repaired 1");
    expect(fixed.text).toContain("threads the feedback filter or the search has not caught up with yet: 1, repaired 1");
    expect(fixed.text).toContain("Threadbook items left by a deleted thread: 1, repaired 1");
    // The sign-in migration: the AUTH item and the alias now exist, Chainlit's USER item is as it was.
    expect(fixed.text).toContain("users without their AUTH item: 1, repaired 1");
    expect(fixed.code).toBe(0);
    expect(await table.plain(`USER#${userId}`, "AUTH")).toMatchObject({ identifier: userId });
    expect(await table.plain(`USER#${userId}`, "USER")).toEqual({ PK: `USER#${userId}`, SK: "USER", id: userId, identifier: userId, metadata: {}, createdAt: "2025-01-01T00:00:00Z" });

    expect(await table.partitionSks(deleted)).toEqual([]);
    expect((await table.plain(`THREAD#${unnamed.thread.id!.S!}`, "THREAD"))?.name).toBe("hello");
    const listed = async (value: 0 | 1) => (await layer.listThreads({ first: 10 }, { userId, feedback: value })).data.map((t) => t.id);
    expect(await listed(1)).toEqual([unnamed.thread.id!.S, rated.thread.id!.S]);
    expect(await listed(0)).toEqual([]);

    const again = await run(true);
    expect(again.code).toBe(0);
    expect(again.lines.filter((line) => !line.startsWith("Scanned"))).toEqual(["Nothing to repair."]);
  });

  it("removes the full-text postings of a thread Chainlit deleted, and --reindex rebuilds every thread's index with progress", async () => {
    const layer = table.layer();
    const userId = uid("u-");
    const search = async (query: string) => (await layer.searchThreads({ userId, query, first: 10 })).data.map((hit) => hit.id);
    const kept = uid("t-");
    await layer.createThread(kept, userId);
    await layer.createStep({ id: uid("s-"), threadId: kept, type: "user_message", output: "ocelot habitat" }, { owner: userId });
    const gone = uid("t-");
    await layer.createThread(gone, userId);
    await layer.createStep({ id: uid("s-"), threadId: gone, type: "user_message", output: "lynx habitat" }, { owner: userId });
    await chainlitDeleteThread(table, gone);

    const fixed = await run(true);
    expect(fixed.text).toMatch(/Threadbook items left by a deleted thread: \d+, repaired \d+/);
    expect(await table.partitionSks(gone)).toEqual([]);
    expect(await search("habitat")).toEqual([kept]);

    // A step written behind the index's back, with no activity bump: no catch-up sees it, a reindex does.
    await table.putRaw({ PK: { S: `THREAD#${kept}` }, SK: { S: "STEP#hidden" }, id: { S: "hidden" }, threadId: { S: kept }, type: { S: "assistant_message" }, output: { S: "capybara" } });
    expect(await search("capybara")).toEqual([]);
    const lines: string[] = [];
    const progress: string[] = [];
    const code = await doctor(layer, true, { out: (line) => lines.push(line), progress: (line) => progress.push(line) }, { pageSize: 50, reindex: true });
    expect(code).toBe(0);
    expect(lines.join("\n")).toMatch(/threads whose full-text index was rebuilt: \d+, repaired \d+/);
    expect(progress.at(-1)).toMatch(/^repaired \d+ of \d+…$/);
    expect(await search("capybara")).toEqual([kept]);
  });

  it("takes only --fix and --reindex", () => {
    expect(parseDoctorArgs([])).toEqual({ fix: false, reindex: false });
    expect(parseDoctorArgs(["--fix"])).toEqual({ fix: true, reindex: false });
    expect(parseDoctorArgs(["--reindex"])).toEqual({ fix: true, reindex: true });
    expect(() => parseDoctorArgs(["--fxi"])).toThrow(/Unknown option/);
    expect(() => parseDoctorArgs(["now"])).toThrow(/Usage/);
  });
});

describe("npm run doctor: import jobs", () => {
  it("ends a job nobody has run for a day and deletes its upload, deletes an upload an ended job left, and leaves live jobs alone", async () => {
    const own = await testTable();
    const storage = await freshStorage("s3");
    const userId = uid("u-");
    const twoDaysAgo = own.layer({ clock: () => new Date(Date.now() - 2 * 86_400_000) });
    const store = (jobId: string) => storage.uploadFile({ objectKey: importUploadKey(jobId), data: "PK", mime: "application/octet-stream" });
    const jobId = (n: number) => `000000000${n}-${crypto.randomUUID()}`;
    // A job whose instance died two days ago, its owner never back.
    const silent = jobId(1);
    await twoDaysAgo.createImportJob(userId, silent, { fileName: "a.zip", upload: "storage", runner: "dead" });
    await store(silent);
    // Ended, but the delete of its upload failed.
    const ended = jobId(2);
    await own.layer().createImportJob(userId, ended, { fileName: "b.zip", upload: "storage", runner: "r" });
    await own.layer().updateImportJob(userId, ended, "r", { status: "done" });
    await store(ended);
    // Running right now elsewhere.
    const live = jobId(3);
    await own.layer().createImportJob(userId, live, { fileName: "c.zip", upload: "storage", runner: "r" });
    await store(live);

    const run = async (fix: boolean) => {
      const lines: string[] = [];
      const code = await doctor(own.layer(), fix, { out: (line) => lines.push(line), progress: () => undefined }, { importUploads: importUploadsIn(storage) });
      return { code, text: lines.join("\n") };
    };
    const report = await run(false);
    expect(report.text).toContain("import jobs nobody runs any more, or uploads their jobs left in storage: 2");
    expect(report.text).toContain(`${userId} ${silent}: running, but not heard from since`);
    expect(report.text).toContain(`${userId} ${ended}: done, but its upload is still in storage`);
    expect((await run(true)).text).toContain("repaired 2");
    expect(await own.layer().getImportJob(userId, silent)).toMatchObject({ status: "failed", error: expect.stringMatching(/interrupted and never resumed/) });
    expect(await storage.deleteFile(importUploadKey(silent))).toBe(false);
    expect(await storage.deleteFile(importUploadKey(ended))).toBe(false);
    expect(await own.layer().getImportJob(userId, live)).toMatchObject({ status: "running" });
    expect(await storage.deleteFile(importUploadKey(live))).toBe(true);
    expect(await run(false)).toMatchObject({ code: 0 });
    await storage.close();
  });
});
