import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestServices, expectNoInternals, seedThread, sessionUser } from "../../../test/callers";

let services: Awaited<ReturnType<typeof createTestServices>>;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

const stepFeedback = async (threadId: string, stepId: string) =>
  (await services.data.getThread(threadId))!.steps.find((s) => s.id === stepId)!.feedback ?? null;

describe("feedback.upsert", () => {
  it("sets, changes and comments on a step of the caller's thread", async () => {
    const me = sessionUser();
    const seeded = await seedThread(services, me.id);
    const caller = callerFor(services, me);
    const result = await caller.feedback.upsert({ threadId: seeded.threadId, forId: seeded.toolStepId, value: 0, comment: "Wrong table" });
    expect(result).toEqual({ feedbackId: `THREAD#${seeded.threadId}::STEP#${seeded.toolStepId}` });
    expect(await stepFeedback(seeded.threadId, seeded.toolStepId)).toMatchObject({ value: 0, comment: "Wrong table" });
    await caller.feedback.upsert({ threadId: seeded.threadId, forId: seeded.toolStepId, value: 1 });
    expect(await stepFeedback(seeded.threadId, seeded.toolStepId)).toMatchObject({ value: 1, comment: null });
    // The thread list's feedback filter follows.
    expect((await caller.threads.list({ feedback: 1 })).data.map((t) => t.id)).toEqual([seeded.threadId]);
    expectNoInternals(result);
  });

  it("is NOT_FOUND for a step that is not in the thread, and writes nothing", async () => {
    const me = sessionUser();
    const seeded = await seedThread(services, me.id);
    const before = await services.data.getThread(seeded.threadId);
    await expect(callerFor(services, me).feedback.upsert({ threadId: seeded.threadId, forId: "no-such-step", value: 1 })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect((await services.data.getThread(seeded.threadId))!.steps).toEqual(before!.steps);
  });
});

describe("the thread pass", () => {
  it("makes a click one round trip: the step and its marker side by side, no ownership read", async () => {
    const me = sessionUser();
    const seeded = await seedThread(services, me.id);
    const caller = callerFor(services, me);
    const { pass } = await caller.threads.get({ threadId: seeded.threadId });
    const click = async (withPass: boolean, value: 0 | 1) => {
      services.requests.reset();
      await caller.feedback.upsert({ threadId: seeded.threadId, ...(withPass ? { pass } : {}), forId: seeded.toolStepId, value });
      return Object.fromEntries(services.requests.byOperation);
    };
    expect(await click(true, 1)).toEqual({ UpdateItemCommand: 2 });
    // Without it (a draft chat, an old page), the ownership GetItem comes first.
    expect(await click(false, 1)).toEqual({ GetItemCommand: 1, UpdateItemCommand: 2 });
    expect(await stepFeedback(seeded.threadId, seeded.toolStepId)).toMatchObject({ value: 1 });
    services.requests.reset();
    await caller.feedback.delete({ threadId: seeded.threadId, pass, feedbackId: `THREAD#${seeded.threadId}::STEP#${seeded.toolStepId}` });
    expect(services.requests.byOperation.get("GetItemCommand")).toBeUndefined();
    expect(await stepFeedback(seeded.threadId, seeded.toolStepId)).toBeNull();
  });

  it("never revives a deleted thread: the write is refused and nothing is left behind", async () => {
    const me = sessionUser();
    const seeded = await seedThread(services, me.id);
    const caller = callerFor(services, me);
    const { pass } = await caller.threads.get({ threadId: seeded.threadId });
    await caller.threads.delete({ threadId: seeded.threadId });
    await expect(caller.feedback.upsert({ threadId: seeded.threadId, pass, forId: seeded.toolStepId, value: 0 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const { doc, tableName } = services.data.context;
    const left = await doc.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: "PK = :pk", ExpressionAttributeValues: { ":pk": `THREAD#${seeded.threadId}` } }));
    expect(left.Items).toEqual([]);
    expect((await caller.threads.list({ feedback: 0 })).data).toEqual([]);
  });
});

describe("feedback.delete", () => {
  it("clears the feedback once, then reports nothing deleted", async () => {
    const me = sessionUser();
    const seeded = await seedThread(services, me.id);
    const caller = callerFor(services, me);
    expect(await caller.feedback.delete({ threadId: seeded.threadId, feedbackId: seeded.feedbackId })).toEqual({ deleted: true });
    expect(await stepFeedback(seeded.threadId, seeded.assistantStepId)).toBeNull();
    expect(await caller.feedback.delete({ threadId: seeded.threadId, feedbackId: seeded.feedbackId })).toEqual({ deleted: false });
    expect((await caller.threads.list({ feedback: 1 })).data).toEqual([]);
  });

  it("is NOT_FOUND for an id that does not parse or names another thread", async () => {
    const me = sessionUser();
    const [mine, other] = [await seedThread(services, me.id), await seedThread(services, me.id)];
    const caller = callerFor(services, me);
    for (const feedbackId of ["garbage", `THREAD#${mine.threadId}`, `THREAD#${mine.threadId}::STEP#`, other.feedbackId, `THREAD#${mine.threadId}::STEP#a b`]) {
      await expect(caller.feedback.delete({ threadId: mine.threadId, feedbackId }), feedbackId).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
    expect(await stepFeedback(other.threadId, other.assistantStepId)).toMatchObject({ value: 1 });
  });
});
