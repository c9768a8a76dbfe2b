import { describe, expect, it } from "vitest";
import { directSenderOf } from "../dynamo-direct";
import { chainlitThread, countOf, testTable, uid } from "../../../test/data-fixtures";

describe("getThreadOutline", () => {
  it("one Query like getThread; every step's place without decoding it, the asked-for steps exactly as getThread gives them", async () => {
    const table = await testTable();
    const layer = table.layer();
    const [threadId, userId] = [uid("t-"), uid("u-")];
    const fixture = chainlitThread(userId, threadId);
    await Promise.all(fixture.items.map((item) => table.putRaw(item)));
    // A step too large for one item: its output is stored in PART items and joined back on read.
    const big = uid("s-");
    await layer.createStep({ id: big, threadId, parentId: fixture.stepA, type: "assistant_message", output: "x".repeat(420_000), createdAt: "2025-03-04T10:11:20Z" });

    const whole = await layer.getThread(threadId, { signElements: false });
    const { result: outline, count, byOperation } = await countOf(table, () => layer.getThreadOutline(threadId));
    expect(count).toBe(1);
    expect(byOperation).toEqual({ QueryCommand: 1 });
    const { steps, elements, ...thread } = whole!;
    expect(outline!.thread).toEqual(thread);
    expect(outline!.elements).toEqual(elements);
    expect(outline!.steps).toEqual(steps.map((s) => ({ id: s.id, parentId: s.parentId ?? null, type: s.type ?? null, createdAt: s.createdAt ?? null, start: s.start ?? null })));
    // Decoding is per request and in the order asked; asking twice gives the same steps (parts joined each time).
    const ids = [big, fixture.stepA];
    expect(outline!.fullSteps(ids)).toEqual(ids.map((id) => steps.find((s) => s.id === id)));
    expect(outline!.fullSteps([big])[0]!.output).toHaveLength(420_000);
    expect(outline!.fullSteps(["not-a-step", fixture.stepB]).map((s) => s.id)).toEqual([fixture.stepB]);
  });

  it("the partition's Query goes out through the direct sender, not the SDK's middleware stack", async () => {
    const table = await testTable();
    const layer = table.layer();
    const [threadId, userId] = [uid("t-"), uid("u-")];
    await Promise.all(chainlitThread(userId, threadId).items.map((item) => table.putRaw(item)));
    const direct: string[] = [];
    const stop = directSenderOf(table.client)!.intercept(async ({ operation }, next) => (direct.push(operation), next()));
    try {
      expect((await layer.getThreadOutline(threadId))?.steps).toHaveLength(2);
      expect((await layer.getThread(threadId, { signElements: false }))?.steps).toHaveLength(2);
    } finally {
      stop();
    }
    expect(direct).toEqual(["Query", "Query"]);
  });

  it("null for a missing thread, as getThread", async () => {
    const table = await testTable();
    expect(await table.layer().getThreadOutline(uid("none-"))).toBeNull();
  });
});
