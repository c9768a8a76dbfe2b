/**
 * A share link's print view (shared-print.ts) on dynalite and s3rver: the share page's gate (revoked, expired,
 * never-shared, missing and malformed all the one `missing`; signed-in shares ask an anonymous viewer to sign in), and
 * only the snapshot printed: a turn added after the share is neither printed nor counted in the "too long" note, and
 * nothing of the owner's the share page does not send (their identifier, feedback, metadata, tags) is in it.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestServices, seedThread, sessionUser, type SeededThread } from "../../../test/callers";
import type { SessionUser } from "../auth/session-user";
import { PRINT_BOUNDS } from "../export/print-thread";
import { readSharedPrint } from "./shared-print";
import { readShare, readSharePage } from "./shared-thread";

let services: Awaited<ReturnType<typeof createTestServices>>;
const alice = sessionUser(`alice-${randomUUID()}@example.com`, "Alice");
const bob = sessionUser(`bob-${randomUUID()}@example.com`, "Bob");
let shared: SeededThread;
/** Alice's question and answer written after she shared the thread: the live thread, not the share. */
const LATER = { question: `later question ${randomUUID()}`, answer: `later answer ${randomUUID()}` };

beforeAll(async () => {
  services = await createTestServices();
  shared = await seedThread(services, alice.id, "Shared numbers");
  await callerFor(services, alice).share.create({ threadId: shared.threadId, access: "public", expiry: "never" });
  const after = new Date(Date.now() + 60_000).toISOString();
  const question = randomUUID();
  await services.data.createStep({ id: question, threadId: shared.threadId, type: "user_message", name: alice.id, output: LATER.question, createdAt: after });
  await services.data.createStep({ id: randomUUID(), threadId: shared.threadId, parentId: question, type: "assistant_message", output: LATER.answer, createdAt: after });
});
afterAll(() => services.close());

const printedOf = async (threadId: string, viewer: SessionUser | null = bob, bounds = PRINT_BOUNDS) => {
  const read = await readSharedPrint(services, threadId, viewer, bounds);
  if (read.kind !== "shared") throw new Error(`expected a share, got ${read.kind}`);
  return read;
};

describe("readSharedPrint", () => {
  it("prints the snapshot only: not the turn written after the share, which the owner's print has", async () => {
    const printed = await printedOf(shared.threadId, null);
    expect(printed.steps.map((s) => s.id)).toEqual([shared.userStepId, shared.toolStepId, shared.assistantStepId]);
    const text = JSON.stringify(printed);
    expect(text).not.toContain(LATER.question);
    expect(text).not.toContain(LATER.answer);
    expect(printed.thread).toMatchObject({ id: shared.threadId, name: "Shared numbers" });
    expect(printed.attachments.byStep.get(shared.assistantStepId)?.map((e) => e.name)).toEqual(["sales q3.csv"]);
    expect(printed.cut).toBeNull();
  });

  it("hostile: a rename after sharing is not shared; the page, its print, its link preview and a copy keep the name it was shared under", async () => {
    const owner = sessionUser(`carol-${randomUUID()}@example.com`, "Carol");
    const thread = await seedThread(services, owner.id, "Quarterly numbers");
    const asOwner = callerFor(services, owner);
    await asOwner.share.create({ threadId: thread.threadId, access: "public", expiry: "never" });
    await asOwner.threads.rename({ threadId: thread.threadId, name: "Layoff list, do not forward" });
    // Changing its access or expiry keeps the snapshot, and so its name.
    await asOwner.share.update({ threadId: thread.threadId, access: "public", expiry: "7d" });
    const names = async () => {
      const page = await readSharePage(services, thread.threadId, null);
      const copy = await readShare(services, thread.threadId, bob);
      return [page.kind === "shared" && page.thread.name, (await printedOf(thread.threadId, null)).thread.name, copy.kind === "shared" && copy.snapshot.name];
    };
    expect(await names()).toEqual(["Quarterly numbers", "Quarterly numbers", "Quarterly numbers"]);
    // Shared again: a new snapshot, under the name it has now.
    await asOwner.share.create({ threadId: thread.threadId, access: "public", expiry: "never" });
    expect(await names()).toEqual(["Layoff list, do not forward", "Layoff list, do not forward", "Layoff list, do not forward"]);
  });

  it("past the bound, the note counts the snapshot's messages, never the live thread's", async () => {
    // 3 steps in the snapshot's one turn: a bound of 2 cuts inside it (printed from the cut), 1 of its 2 messages shown.
    const printed = await printedOf(shared.threadId, bob, { ...PRINT_BOUNDS, maxSteps: 2 });
    expect(printed.steps.map((s) => s.id)).toEqual([shared.toolStepId, shared.assistantStepId]);
    expect(printed.cut).toEqual({ shown: 1, total: 2 });
  });

  // What is printed of them (the page draws names, text and signed links only; no object key leaves the server).
  it("holds nothing of the owner's the share page does not send: identifier, feedback, metadata, tags", async () => {
    const printed = await printedOf(shared.threadId);
    const text = JSON.stringify({ ...printed, attachments: [...printed.attachments.byStep.values(), printed.attachments.loose] });
    expect(text).not.toContain(alice.id);
    expect(text).not.toContain("Spot on");
    expect(text).not.toContain('"source"');
    expect(text).not.toContain('"demo"');
  });

  it("is the share page's one refusal: never shared, missing, malformed, revoked, expired; sign-in for a signed-in share", async () => {
    const unshared = await seedThread(services, alice.id, "Not shared");
    for (const id of [unshared.threadId, randomUUID(), "not an id", `${shared.threadId}/../${unshared.threadId}`]) {
      expect(await readSharedPrint(services, id, bob)).toEqual({ kind: "missing" });
      expect(await readSharedPrint(services, id, alice)).toEqual({ kind: "missing" });
    }
    const asAlice = callerFor(services, alice);
    const other = await seedThread(services, alice.id, "Shared then stopped");
    await asAlice.share.create({ threadId: other.threadId, access: "signed-in", expiry: "never" });
    expect(await readSharedPrint(services, other.threadId, null)).toEqual({ kind: "sign-in" });
    expect((await printedOf(other.threadId)).steps).toHaveLength(3);
    await asAlice.share.revoke({ threadId: other.threadId });
    expect(await readSharedPrint(services, other.threadId, bob)).toEqual({ kind: "missing" });
    await asAlice.share.create({ threadId: other.threadId, access: "public", expiry: "1d" });
    expect((await printedOf(other.threadId)).steps).toHaveLength(3);
    await services.data.changeShare(other.threadId, alice.id, { access: "public", expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(await readSharedPrint(services, other.threadId, bob)).toEqual({ kind: "missing" });
  });
});
