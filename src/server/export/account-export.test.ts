/** "Export all" over real dynalite and s3rver: the zip's layout, only the user's own threads, and a full re-import. */
import { randomUUID } from "node:crypto";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import yauzl from "yauzl";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestServices, sessionUser } from "../../../test/callers";
import { chatGptZip, KYOTO_PNG } from "../../../test/import-archives";
import { chainlitThread, chainlitTurn } from "../../../test/data-fixtures";
import { startImport, waitForImport } from "../import/import-jobs";
import type { Step } from "@/data";
import type { SessionUser } from "../auth/session-user";
import { exportAccount } from "./account-export";

let services: Awaited<ReturnType<typeof createTestServices>>;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(async () => {
  await services.close();
});

async function importBytes(user: SessionUser, data: Buffer) {
  const started = await startImport(services, user, { fileName: "export.zip", contentLength: data.length, body: new Blob([new Uint8Array(data)]).stream() });
  if (started.status !== 202) throw new Error(started.error);
  await waitForImport(started.job.jobId);
  return callerFor(services, user).imports.get({ jobId: started.job.jobId });
}

async function exportBytes(user: SessionUser): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of exportAccount({ data: services.data, storage: services.storage, userId: user.id, maxAttachmentBytes: 1024 * 1024 })) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function entriesOf(zip: Buffer): Promise<Map<string, Buffer>> {
  const file = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const entries = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    file.on("entry", (entry: yauzl.Entry) => {
      file.openReadStream(entry, async (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        entries.set(entry.fileName, Buffer.concat(chunks));
        file.readEntry();
      });
    });
    file.once("end", resolve);
    file.once("error", reject);
    file.readEntry();
  });
  return entries;
}

describe("export all", () => {
  const alice = sessionUser();
  const bob = sessionUser();
  let zip: Buffer;
  beforeAll(async () => {
    await importBytes(alice, await chatGptZip());
    // Alice rates the Kyoto thread's first answer 👍 (with a comment) and a later step 👎.
    const kyoto = (await callerFor(services, alice).threads.list({ first: 10 })).data.find((t) => t.name === "Trip to Kyoto")!;
    const answers = (await services.data.getThread(kyoto.id))!.steps.filter((s) => s.type === "assistant_message");
    await callerFor(services, alice).feedback.upsert({ threadId: kyoto.id, forId: answers[0]!.id, value: 1, comment: "Spot on" });
    await callerFor(services, alice).feedback.upsert({ threadId: kyoto.id, forId: answers[1]!.id, value: 0 });
    await callerFor(services, bob).threads.create().then(({ id }) => services.data.updateThread(id, { name: "Bob's secret" }));
    await callerFor(services, alice).threads.pin({ threadId: kyoto.id });
    for (const tag of ["Travel", "japan"]) await callerFor(services, alice).threads.addTag({ threadId: kyoto.id, tag });
    zip = await exportBytes(alice);
  });

  it("holds one JSON and one Markdown file per thread, the attachments, and an index; only the user's threads", async () => {
    const entries = await entriesOf(zip);
    const names = [...entries.keys()].sort();
    expect(names).toEqual([
      "index.json",
      "threads/00001-haiku-about-rain/thread.json",
      "threads/00001-haiku-about-rain/thread.md",
      "threads/00002-trip-to-kyoto/attachments/" + names.find((n) => n.includes("/attachments/"))!.split("/attachments/")[1],
      "threads/00002-trip-to-kyoto/thread.json",
      "threads/00002-trip-to-kyoto/thread.md",
    ]);
    const index = JSON.parse(entries.get("index.json")!.toString());
    expect(index).toMatchObject({ threadbookAccountExport: 1, user: alice.id });
    expect(index.threads.map((t: { name: string }) => t.name)).toEqual(["Haiku about rain", "Trip to Kyoto"]);
    // The pinned thread says when it was pinned; the other says nothing.
    expect(index.threads[0].pinnedAt).toBeUndefined();
    expect(index.threads[1].pinnedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expect(JSON.stringify(index)).not.toContain("Bob's secret");
    expect(entries.get(index.threads[1].attachments[0].path)).toEqual(KYOTO_PNG);
    expect(entries.get("threads/00002-trip-to-kyoto/thread.md")!.toString()).toContain("The train fares come to ¥680.");
    expect(JSON.parse(entries.get("threads/00002-trip-to-kyoto/thread.json")!.toString())).toMatchObject({ threadbookExport: 1, thread: { name: "Trip to Kyoto" } });
  });

  it("imported into another account, it restores the threads, their steps and their attachments", async () => {
    const carol = sessionUser();
    const job = await importBytes(carol, zip);
    expect(job).toMatchObject({ status: "done", format: "threadbook", total: 2, imported: 2, attachments: 1, skippedCount: 0 });
    const mine = (await callerFor(services, alice).threads.list({ first: 10 })).data;
    const theirs = (await callerFor(services, carol).threads.list({ first: 10 })).data;
    expect(theirs.map((t) => [t.name, t.updatedAt])).toEqual(mine.map((t) => [t.name, t.updatedAt]));
    const original = await services.data.getThread(mine[1]!.id);
    const copy = await services.data.getThread(theirs[1]!.id);
    const shape = (steps: Step[]) => steps.map((s) => [s.type, s.type === "user_message" ? "(user)" : s.name, s.output, s.createdAt]);
    expect(shape(copy!.steps)).toEqual(shape(original!.steps));
    expect(copy!.elements).toHaveLength(1);
    expect(Buffer.from(await services.storage.read(copy!.elements[0]!.objectKey!, { maxBytes: 1_000_000 }))).toEqual(KYOTO_PNG);
    // The ratings come along, on the same steps, and the 👍/👎 filters find the thread.
    const ratings = (steps: Step[]) => steps.filter((s) => s.feedback).map((s) => [s.output, s.feedback!.value, s.feedback!.comment ?? null]);
    expect(ratings(copy!.steps)).toEqual(ratings(original!.steps));
    expect(ratings(copy!.steps)).toHaveLength(2);
    for (const step of copy!.steps.filter((s) => s.feedback)) expect(step.feedback).toMatchObject({ id: `THREAD#${copy!.id}::STEP#${step.id}`, forId: step.id, threadId: copy!.id });
    for (const value of [0, 1] as const) {
      const filtered = (await callerFor(services, carol).threads.list({ first: 10, feedback: value })).data;
      expect(filtered.map((t) => t.id)).toEqual([copy!.id]);
    }
    // Its tags too: listed by them.
    expect(copy!.tags).toEqual(["Travel", "japan"]);
    expect((await callerFor(services, carol).threads.list({ first: 10, tag: "travel" })).data.map((t) => t.id)).toEqual([copy!.id]);
    // Importing the same export again finds everything there.
    expect(await importBytes(carol, zip)).toMatchObject({ imported: 0, existing: 2 });
  });

  it("imported back by its owner after a delete, adds no copies and brings the deleted thread back pinned, its ratings with it", async () => {
    // A user of the same account: the export of alice's, as alice, after deleting the pinned Kyoto thread.
    const asAlice = callerFor(services, alice);
    const before = (await asAlice.threads.list({ first: 10 })).data;
    const kyoto = before.find((t) => t.name === "Trip to Kyoto")!;
    await asAlice.threads.delete({ threadId: kyoto.id });
    expect(await importBytes(alice, zip)).toMatchObject({ status: "done", imported: 1, existing: 1, attachments: 1 });
    const after = (await asAlice.threads.list({ first: 10 })).data;
    expect(after.map((t) => [t.name, t.updatedAt])).toEqual(before.map((t) => [t.name, t.updatedAt]));
    const back = after.find((t) => t.name === "Trip to Kyoto")!;
    expect((await asAlice.threads.pinned()).map((t) => t.id)).toEqual([back.id]);
    expect((await asAlice.threads.list({ first: 10, feedback: 1 })).data.map((t) => t.id)).toEqual([back.id]);
  });
});

describe("export all of a thread Chainlit wrote", () => {
  it("holds its turns and the file Chainlit stored under its own key, and imports into another account whole", async () => {
    const dave = sessionUser();
    const threadId = randomUUID();
    const { doc, tableName } = services.data.context;
    // Chainlit's items as its layer writes them: size NULL, page a number, the file under `{identifier}/{thread}/{element}`
    // uploaded as application/octet-stream (Chainlit's default type), the item's mime the file's own.
    const written = chainlitThread(dave.id, threadId, { name: "Chainlit report" });
    const turn = chainlitTurn(dave.id, threadId, { question: "Summarise the report", answer: "Revenue is up 12%." });
    for (const Item of [...written.items, ...turn.steps]) await doc.send(new PutItemCommand({ TableName: tableName, Item }));
    const pdf = Buffer.from("%PDF-1.4 chainlit's report");
    await services.storage.uploadFile({ objectKey: written.objectKey, data: pdf, mime: "application/octet-stream" });

    const zip = await exportBytes(dave);
    const entries = await entriesOf(zip);
    const index = JSON.parse(entries.get("index.json")!.toString());
    expect(index.threads).toEqual([expect.objectContaining({ name: "Chainlit report", attachments: [expect.objectContaining({ elementId: written.elementId, name: "report.pdf", mime: "application/pdf" })] })]);
    expect(index.threads[0].attachments[0].missing).toBeUndefined();
    expect(entries.get(index.threads[0].attachments[0].path)).toEqual(pdf);
    const markdown = [...entries].find(([name]) => name.endsWith("/thread.md"))![1].toString();
    expect(markdown).toContain("Summarise the report");
    expect(markdown).toContain("Revenue is up 12%.");
    const json = [...entries].find(([name]) => name.endsWith("/thread.json"))![1].toString();
    expect(json).not.toContain(written.objectKey); // neither Chainlit's key nor its unsigned url (it names the owner)

    const erin = sessionUser();
    expect(await importBytes(erin, zip)).toMatchObject({ status: "done", imported: 1, attachments: 1, skippedCount: 0 });
    const [copy] = (await callerFor(services, erin).threads.list({ first: 10 })).data;
    const read = (await services.data.getThread(copy!.id))!;
    expect(read.name).toBe("Chainlit report");
    expect(read.steps.map((s) => s.output).filter(Boolean)).toEqual(expect.arrayContaining(["Summarise the report", "Revenue is up 12%."]));
    expect(read.elements.map((e) => e.name)).toEqual(["report.pdf"]);
    // Chainlit's 👍 on its run comes along: the copy is under the filter.
    expect((await callerFor(services, erin).threads.list({ first: 10, feedback: 1 })).data.map((t) => t.id)).toEqual([copy!.id]);
    expect(Buffer.from(await services.storage.read(read.elements[0]!.objectKey!, { maxBytes: 1_000_000 }))).toEqual(pdf);
  });
});
