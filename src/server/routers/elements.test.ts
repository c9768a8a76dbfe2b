import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestServices, expectNoInternals, seedThread, sessionUser, URL_EXPIRES_SECONDS } from "../../../test/callers";

let services: Awaited<ReturnType<typeof createTestServices>>;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

describe("elements.getUrl", () => {
  it("signs a fresh download link for a stored file", async () => {
    const me = sessionUser();
    const seeded = await seedThread(services, me.id);
    const started = Date.now();
    const result = await callerFor(services, me).elements.getUrl({ threadId: seeded.threadId, elementId: seeded.elementId });
    expect(Object.keys(result).sort()).toEqual(["expiresAt", "url"]);
    const expires = Date.parse(result.expiresAt);
    expect(expires).toBeGreaterThan(started);
    expect(expires).toBeLessThanOrEqual(Date.now() + URL_EXPIRES_SECONDS * 1000 + 1000);
    const response = await fetch(result.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(seeded.blob);
    expect(response.headers.get("content-disposition")).toContain("attachment");
    expectNoInternals(result);
  });

  it("is NOT_FOUND for an element without a stored object, or not in the thread", async () => {
    const me = sessionUser();
    const [seeded, other] = [await seedThread(services, me.id), await seedThread(services, me.id)];
    const caller = callerFor(services, me);
    for (const [threadId, elementId] of [
      [seeded.threadId, seeded.linkElementId],
      [seeded.threadId, other.elementId],
      [seeded.threadId, "missing"],
    ] as const) {
      await expect(caller.elements.getUrl({ threadId, elementId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
  });
});

describe("elements.delete", () => {
  it("removes the element and its stored object", async () => {
    const me = sessionUser();
    const seeded = await seedThread(services, me.id);
    const caller = callerFor(services, me);
    const { url } = await caller.elements.getUrl({ threadId: seeded.threadId, elementId: seeded.elementId });
    expect(await caller.elements.delete({ threadId: seeded.threadId, elementId: seeded.elementId })).toEqual({ deleted: true });
    expect(await services.data.getElement(seeded.threadId, seeded.elementId)).toBeNull();
    expect((await fetch(url)).status).toBe(404);
    const thread = await caller.threads.get({ threadId: seeded.threadId });
    expect(thread.elements.map((e) => e.id)).toEqual([seeded.linkElementId]);
    // The rest of the thread is untouched.
    expect(thread.steps.map((s) => s.id)).toEqual([seeded.userStepId, seeded.toolStepId, seeded.assistantStepId]);
  });

  it("is NOT_FOUND the second time, and for an element of another thread", async () => {
    const me = sessionUser();
    const [seeded, other] = [await seedThread(services, me.id), await seedThread(services, me.id)];
    const caller = callerFor(services, me);
    await caller.elements.delete({ threadId: seeded.threadId, elementId: seeded.elementId });
    await expect(caller.elements.delete({ threadId: seeded.threadId, elementId: seeded.elementId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(caller.elements.delete({ threadId: seeded.threadId, elementId: other.elementId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await services.data.getElement(other.threadId, other.elementId)).not.toBeNull();
  });
});
