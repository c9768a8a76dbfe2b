import { randomUUID } from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { previewKeyOf } from "@/data";
import { createInnerContext } from "@/server/context";
import { createCaller } from "@/server/root";
import { SHARE_PREVIEW_ASKS_PER_VIEW } from "@/server/share/share-rate-limit";
import { readSharePage } from "@/server/share/shared-thread";
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

describe("elements.preview and share.elementPreview", () => {
  const photo = () => sharp({ create: { width: 1600, height: 1200, channels: 3, background: "#3a6ea5" } }).jpeg().toBuffer();

  /** A photo Chainlit stored in a thread (no preview yet): the first ask makes one. */
  async function chainlitPhoto(threadId: string, stepId: string, identifier: string) {
    const elementId = randomUUID();
    // Chainlit's `{identifier}/{thread}/{element}`. Without "@": s3rver does not decode `%40` in a copy's source (its
    // decodeURI keeps it), so the share copy of an email-keyed file fails there; real S3 decodes it.
    const objectKey = `${identifier}/${threadId}/${elementId}`;
    await services.storage.uploadFile({ objectKey, data: await photo(), mime: "image/jpeg" });
    await services.data.createElement({ id: elementId, threadId, forId: stepId, type: "image", name: "photo.jpg", mime: "image/jpeg", objectKey });
    return { elementId, objectKey };
  }

  /** Alice's thread with a photo Chainlit stored. */
  async function alicesPhoto() {
    const alice = sessionUser();
    const seeded = await seedThread(services, alice.id);
    const identifier = `alice-${randomUUID().slice(0, 8)}`;
    const { elementId, objectKey } = await chainlitPhoto(seeded.threadId, seeded.assistantStepId, identifier);
    return { alice, identifier, threadId: seeded.threadId, elementId, objectKey, stepId: seeded.assistantStepId };
  }

  /** A share viewer at an address of their own, on a server with the given limits. */
  const viewerAt = (env: Partial<typeof services.env>, clientAddress = `2001:db8:${randomUUID().slice(0, 4)}::${randomUUID().slice(0, 4)}`) =>
    createCaller(createInnerContext({ user: null, services: { ...services, env: { ...services.env, ...env } }, clientAddress }));

  it("the owner gets a link to a small WebP; the thread's next read signs it, and the original stays the file's link", async () => {
    const { alice, threadId, elementId } = await alicesPhoto();
    const caller = callerFor(services, alice);
    const link = await caller.elements.preview({ threadId, elementId });
    const response = await fetch(link!.url);
    expect(response.status).toBe(200);
    expect((await sharp(Buffer.from(await response.arrayBuffer())).metadata()).format).toBe("webp");
    const element = (await caller.threads.get({ threadId })).elements.find((e) => e.id === elementId)!;
    expect(element).toMatchObject({ previewUrl: expect.any(String), url: expect.any(String), previewRefused: false });
    expect(element.url).not.toBe(element.previewUrl);
    expectNoInternals(element);
    expect(element).not.toHaveProperty("previewKey");
  });

  it("hostile: Bob cannot get a preview of Alice's image, through her thread or his own, and his asks make nothing", async () => {
    const { threadId, elementId, objectKey } = await alicesPhoto();
    const bob = sessionUser();
    const bobs = await seedThread(services, bob.id);
    const asBob = callerFor(services, bob);
    await expect(asBob.elements.preview({ threadId, elementId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(asBob.elements.preview({ threadId: bobs.threadId, elementId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Nothing was made or recorded for him: the preview's key is not in storage.
    const raw = await services.data.getElement(threadId, elementId);
    expect(raw?.previewKey ?? null).toBeNull();
    await expect(services.storage.size(previewKeyOf(threadId, elementId, objectKey))).rejects.toMatchObject({ code: "not_found" });
  });

  it("a share viewer gets previews of the snapshot's images only", async () => {
    const { alice, identifier, threadId, elementId } = await alicesPhoto();
    await callerFor(services, alice).share.create({ threadId, access: "public", expiry: "never" });
    const viewer = callerFor(services, null);
    expect(await viewer.share.elementPreview({ threadId, elementId })).toMatchObject({ url: expect.any(String) });
    // The share page then sends it signed with its window, the original as a share copy: neither link names her.
    const page = await readSharePage(services, threadId, null);
    const shown = page.kind === "shared" ? page.thread.elements.find((e) => e.id === elementId) : undefined;
    expect(shown).toMatchObject({ previewUrl: expect.stringContaining("/threadbook-previews/"), url: expect.stringContaining("/threadbook-shared/") });
    for (const link of [shown!.previewUrl!, shown!.url!]) expect(decodeURIComponent(link)).not.toContain(identifier);
    // An image added after the share, and an image of another of her threads, are not the viewer's to see.
    const later = randomUUID();
    await services.data.createElement({ id: later, threadId, type: "image", name: "later.jpg", mime: "image/jpeg", content: await photo(), createdAt: "2999-01-01T00:00:00.000000Z" });
    await expect(viewer.share.elementPreview({ threadId, elementId: later })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const other = await alicesPhoto();
    await expect(viewer.share.elementPreview({ threadId, elementId: other.elementId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(viewer.share.elementPreview({ threadId: other.threadId, elementId: other.elementId })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("hostile: one address asking again and again for a share's made previews is served, and its page budget stays whole", async () => {
    const { alice, threadId, elementId } = await alicesPhoto();
    await callerFor(services, alice).share.create({ threadId, access: "public", expiry: "never" });
    const limits = { SHARE_RATE_PER_MINUTE: 2 };
    const viewer = viewerAt(limits);
    // Ten asks: five times the page budget (a page of ten images each asking once), all answered with the preview.
    for (let ask = 0; ask < 10; ask++) expect(await viewer.share.elementPreview({ threadId, elementId })).toMatchObject({ url: expect.any(String) });
    // The address's page budget is untouched: its two downloads a minute still come.
    for (let download = 0; download < 2; download++) expect(await viewer.share.elementUrl({ threadId, elementId })).toMatchObject({ url: expect.any(String) });
    await expect(viewer.share.elementUrl({ threadId, elementId })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  it("hostile: preview asks have a budget of their own per address", async () => {
    const { alice, threadId, elementId } = await alicesPhoto();
    await callerFor(services, alice).share.create({ threadId, access: "public", expiry: "never" });
    const viewer = viewerAt({ SHARE_RATE_PER_MINUTE: 1 });
    for (let ask = 0; ask < SHARE_PREVIEW_ASKS_PER_VIEW; ask++) await viewer.share.elementPreview({ threadId, elementId });
    await expect(viewer.share.elementPreview({ threadId, elementId })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  it("hostile: previews made for a share are bounded per share, however many addresses ask; the rest stay to be made", async () => {
    const { alice, identifier, threadId, elementId, stepId } = await alicesPhoto();
    const more = [await chainlitPhoto(threadId, stepId, identifier), await chainlitPhoto(threadId, stepId, identifier)];
    await callerFor(services, alice).share.create({ threadId, access: "public", expiry: "never" });
    const limits = { SHARE_PREVIEWS_MADE_PER_MINUTE: 2 };
    const ids = [elementId, ...more.map((photo) => photo.elementId)];
    const links = [];
    // Each from an address of its own, and each asked twice: the budget is the share's, and a made one costs none.
    for (const id of ids) links.push(await viewerAt(limits).share.elementPreview({ threadId, elementId: id }));
    for (const id of ids.slice(0, 2)) expect(await viewerAt(limits).share.elementPreview({ threadId, elementId: id })).toMatchObject({ url: expect.any(String) });
    expect(links.map((link) => link !== null)).toEqual([true, true, false]);
    // Not refused: the owner's view (not a share's budget) makes it.
    const third = (await services.data.getElement(threadId, ids[2]!))!;
    expect([third.previewKey ?? null, third.previewRefused ?? null]).toEqual([null, null]);
    expect(await callerFor(services, alice).elements.preview({ threadId, elementId: ids[2]! })).toMatchObject({ url: expect.any(String) });
  });
});
