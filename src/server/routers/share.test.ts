/** The share router end to end over dynalite and s3rver: what the owner and a viewer see and do. */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseServerEnv } from "@/server/env";
import { sweepExpiredShares } from "@/server/share/share-expiry-sweep";
import { readShare, readSharePage } from "@/server/share/shared-thread";
import { callerFor, createTestServices, seedThread, sessionUser } from "../../../test/callers";
import { chainlitShareThread, chainlitThread, chainlitUpdateThread, countOf, testTable } from "../../../test/data-fixtures";
import { createInnerContext } from "@/server/context";
import { createCaller } from "@/server/root";

let services: Awaited<ReturnType<typeof createTestServices>>;
const alice = sessionUser(`alice-${randomUUID()}@example.com`, "Alice");
const bob = sessionUser(`bob-${randomUUID()}@example.com`, "Bob");

beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.close());

describe("share router", () => {
  it("SHARE_ACCESS: off, or choices with the first as the default; anything else names the variable", () => {
    expect(parseServerEnv({}).SHARE_ACCESS).toEqual({ choices: ["signed-in", "public"], default: "signed-in" });
    expect(parseServerEnv({ SHARE_ACCESS: "public" }).SHARE_ACCESS).toEqual({ choices: ["public"], default: "public" });
    expect(parseServerEnv({ SHARE_ACCESS: "off" }).SHARE_ACCESS).toBeNull();
    expect(() => parseServerEnv({ SHARE_ACCESS: "everyone" })).toThrow(/^SHARE_ACCESS: expected "off"/);
  });

  it("the owner shares, sees the state, lists it, changes the expiry, and stops sharing", async () => {
    const asAlice = callerFor(services, alice);
    const t = await seedThread(services, alice.id, "To share");
    expect(await asAlice.share.state({ threadId: t.threadId })).toMatchObject({ shared: false, policy: { default: "signed-in" } });
    const created = await asAlice.share.create({ threadId: t.threadId, access: "public", expiry: "1d" });
    expect(created).toMatchObject({ shared: true, access: "public", origin: "threadbook", expired: false });
    const expiresIn = Date.parse((created as { expiresAt: string }).expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(23 * 3600_000);
    expect(expiresIn).toBeLessThanOrEqual(24 * 3600_000);
    const listed = await asAlice.share.list({});
    expect(listed.rows).toEqual([expect.objectContaining({ threadId: t.threadId, name: "To share", access: "public" })]);
    const updated = await asAlice.share.update({ threadId: t.threadId, access: "signed-in", expiry: "never" });
    expect(updated).toMatchObject({ shared: true, access: "signed-in", expiresAt: null, sharedAt: (created as { sharedAt: string }).sharedAt });
    await asAlice.share.revoke({ threadId: t.threadId });
    expect(await asAlice.share.state({ threadId: t.threadId })).toMatchObject({ shared: false });
    expect((await asAlice.share.list({})).rows).toEqual([]);
  });

  it("a share stopped here stays stopped when a Chainlit session saves its older metadata back over it", async () => {
    const table = await testTable();
    const local = { ...services, data: table.layer({ storageProvider: services.storage }) };
    const asAlice = callerFor(local, alice);
    const t = await seedThread(local, alice.id, "Stopped");
    const { sharedAt } = (await asAlice.share.create({ threadId: t.threadId, access: "public", expiry: "never" })) as { sharedAt: string };
    await asAlice.share.revoke({ threadId: t.threadId });
    // A Chainlit session open on the thread since it was shared saves its copy of the metadata when it disconnects:
    // update_thread replaces the whole map (Chainlit issue #2688), the flag and its shared_at with it.
    const disconnect = () =>
      chainlitUpdateThread(table, t.threadId, { at: new Date().toISOString(), metadata: { source: { S: "test" }, is_shared: { BOOL: true }, shared_at: { S: sharedAt } } });
    const chainlitServes = async () => ((await table.plain(`THREAD#${t.threadId}`, "THREAD"))?.metadata as { is_shared?: unknown }).is_shared === true;
    await disconnect();
    expect(await chainlitServes()).toBe(true);
    // The link stays dead for an anonymous viewer, and the read ends the share for Chainlit's own route again.
    expect(await readShare(local, t.threadId, null)).toEqual({ kind: "missing" });
    expect(await chainlitServes()).toBe(false);
    await expect(callerFor(local, bob).share.continue({ threadId: t.threadId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await asAlice.share.state({ threadId: t.threadId })).toMatchObject({ shared: false });
    // Saved back once more: the owner's list does not show it, and its catch-up ends it too.
    await disconnect();
    expect((await asAlice.share.list({})).rows).toEqual([]);
    expect(await chainlitServes()).toBe(false);
    // Sharing again is a new share, live as usual.
    await asAlice.share.create({ threadId: t.threadId, access: "public", expiry: "never" });
    expect(await readShare(local, t.threadId, null)).toMatchObject({ kind: "shared" });
  });

  it("an earlier share saved back by a Chainlit session after sharing again (or stop and share again) is no share, not one with the defaults", async () => {
    const table = await testTable();
    const local = { ...services, data: table.layer({ storageProvider: services.storage }) };
    const asAlice = callerFor(local, alice);
    const t = await seedThread(local, alice.id, "Shared twice");
    const first = ((await asAlice.share.create({ threadId: t.threadId, access: "signed-in", expiry: "1d" })) as { sharedAt: string }).sharedAt;
    await asAlice.share.create({ threadId: t.threadId, access: "signed-in", expiry: "1d" });
    // A session opened under the first share disconnects: Chainlit writes its older metadata back, whole.
    const disconnect = (sharedAt: string) =>
      chainlitUpdateThread(table, t.threadId, { at: new Date().toISOString(), metadata: { is_shared: { BOOL: true }, shared_at: { S: sharedAt } } });
    const chainlitServes = async () => ((await table.plain(`THREAD#${t.threadId}`, "THREAD"))?.metadata as { is_shared?: unknown }).is_shared === true;
    await disconnect(first);
    // Before, this ran as a share Chainlit made: the deployment's default access and no expiry at all.
    expect(await readShare(local, t.threadId, bob)).toEqual({ kind: "missing" });
    expect(await chainlitServes()).toBe(false);
    expect(await asAlice.share.state({ threadId: t.threadId })).toMatchObject({ shared: false });
    await disconnect(first);
    expect((await asAlice.share.list({})).rows).toEqual([]);
    expect(await chainlitServes()).toBe(false);
    // Stopped, then shared again: neither earlier share comes back.
    const second = ((await asAlice.share.create({ threadId: t.threadId, access: "signed-in", expiry: "1d" })) as { sharedAt: string }).sharedAt;
    await asAlice.share.revoke({ threadId: t.threadId });
    await asAlice.share.create({ threadId: t.threadId, access: "public", expiry: "1d" });
    for (const earlier of [first, second]) {
      await disconnect(earlier);
      expect(await readShare(local, t.threadId, bob)).toEqual({ kind: "missing" });
      await expect(callerFor(local, bob).share.continue({ threadId: t.threadId })).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect(await chainlitServes()).toBe(false);
    }
    // A share Chainlit itself makes afterwards (a new shared_at) is a share as before.
    await chainlitShareThread(table, t.threadId, { isShared: true, at: new Date().toISOString(), sharedAt: new Date().toISOString() });
    expect(await readShare(local, t.threadId, bob)).toMatchObject({ kind: "shared" });
  });

  it("a copy of a thread with attachments Chainlit stored counts their size in storage against the copier's day", async () => {
    const table = await testTable();
    const local = { ...services, data: table.layer({ storageProvider: services.storage }), env: { ...services.env, UPLOAD_MB_PER_DAY: 2 } };
    // A thread Chainlit wrote and shared: its element item records no `bytes`, its file is 900 KB.
    // (No "@" in it: s3rver does not decode an encoded "@" in a copy's source, which S3 itself does.)
    const owner = `chainlit-${randomUUID()}`;
    const threadId = randomUUID();
    const written = chainlitThread(owner, threadId);
    for (const item of written.items) await table.putRaw(item);
    await services.storage.uploadFile({ objectKey: written.objectKey, data: Buffer.alloc(900 * 1024, 1), mime: "application/pdf" });
    await chainlitShareThread(table, threadId, { isShared: true, at: new Date().toISOString() });
    const copier = sessionUser(`copier-${randomUUID()}@example.com`, "Copier");
    const copy = (n: number) => createCaller(createInnerContext({ user: copier, services: local, clientAddress: `198.51.100.${n}` })).share.continue({ threadId });
    // Two copies hold 1.8 MB of the 2 MB: a third is refused (each counted at the 256 KB minimum before, eight went through).
    await copy(1);
    await copy(2);
    await expect(copy(3)).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  it("a copy of a shared thread with many Chainlit files asks storage their sizes a few at a time (hostile: a thread of 40 files)", async () => {
    const table = await testTable();
    let inFlight = 0;
    let most = 0;
    let asked = 0;
    const storage = new Proxy(services.storage, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (property !== "size" || typeof value !== "function") return value;
        return async (...args: unknown[]) => {
          asked++;
          most = Math.max(most, ++inFlight);
          try {
            return await (value as (...a: unknown[]) => Promise<number>).apply(target, args);
          } finally {
            inFlight--;
          }
        };
      },
    });
    const local = { ...services, storage, data: table.layer({ storageProvider: storage }) };
    const owner = `chainlit-${randomUUID()}`;
    const threadId = randomUUID();
    const written = chainlitThread(owner, threadId);
    for (const item of written.items) await table.putRaw(item);
    // 39 more files as Chainlit records them (no `bytes`), each stored.
    for (let i = 0; i < 39; i++) {
      const elementId = randomUUID();
      const objectKey = `${owner}/${threadId}/${elementId}`;
      await table.putRaw({ ...written.element, SK: { S: `ELEMENT#${elementId}` }, id: { S: elementId }, objectKey: { S: objectKey }, url: { S: `https://bucket.s3.amazonaws.com/${objectKey}` } });
      await services.storage.uploadFile({ objectKey, data: Buffer.from(`file ${i}`), mime: "application/pdf" });
    }
    await services.storage.uploadFile({ objectKey: written.objectKey, data: Buffer.from("first"), mime: "application/pdf" });
    await chainlitShareThread(table, threadId, { isShared: true, at: new Date().toISOString() });
    const copier = sessionUser(`copier-${randomUUID()}@example.com`, "Copier");
    await createCaller(createInnerContext({ user: copier, services: local, clientAddress: "198.51.100.40" })).share.continue({ threadId });
    expect(asked).toBeGreaterThanOrEqual(40);
    expect(most).toBeLessThanOrEqual(8);
  });

  it("a share viewer's links to a file Chainlit stored never name the owner: a copy under a neutral key, made once, gone with the share and the thread", async () => {
    const table = await testTable();
    // The storage itself, with its copies counted (every call goes to s3rver as usual).
    let copies = 0;
    const storage = new Proxy(services.storage, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === "function"
          ? (...args: unknown[]) => {
              if (property === "copyFile") copies++;
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            }
          : value;
      },
    });
    const local = { ...services, storage, data: table.layer({ storageProvider: storage }) };
    // Chainlit's key is `{identifier}/{threadId}/{elementId}` (no "@" here: s3rver does not decode one in a copy's source).
    const owner = `owner.${randomUUID()}`;
    const threadId = randomUUID();
    const written = chainlitThread(owner, threadId);
    for (const item of written.items) await table.putRaw(item);
    const bytes = "%PDF-1.4 the owner's report";
    await storage.uploadFile({ objectKey: written.objectKey, data: bytes, mime: "application/pdf" });
    await chainlitShareThread(table, threadId, { isShared: true, at: new Date().toISOString() });
    // Chainlit's share is for signed-in people (the deployment's default): another user views it.
    const viewer = createCaller(createInnerContext({ user: bob, services: local, clientAddress: "198.51.100.20" }));
    const names = (url: string) => url.includes(owner) || decodeURIComponent(url).includes(owner);

    // The share page's link and the download link: neither names the owner, both give the file.
    const read = await readSharePage(local, threadId, bob);
    const shown = read.kind === "shared" ? read.thread.elements[0] : undefined;
    expect(shown?.url).toBeTruthy();
    expect(names(shown!.url!)).toBe(false);
    expect(JSON.stringify(read)).not.toContain(owner);
    const first = await viewer.share.elementUrl({ threadId, elementId: written.elementId });
    expect(names(first.url)).toBe(false);
    expect(await (await fetch(first.url)).text()).toBe(bytes);
    expect(copies).toBe(1);
    const copyKey = (await table.plain(`THREAD#${threadId}`, `ELEMENT#${written.elementId}`))?.shareCopyKey as string;
    expect(copyKey).toBe(`threadbook-shared/${threadId}/${written.elementId}/report.pdf`);
    // Later downloads sign the recorded copy: no copy, nothing written beyond the share gate's own counter.
    const again = await countOf(table, () => viewer.share.elementUrl({ threadId, elementId: written.elementId }));
    expect(copies).toBe(1);
    // The share gate alone: the viewer's rate counter, the share state and owner, the thread's Query.
    expect(again.byOperation).toEqual({ UpdateItemCommand: 1, BatchGetItemCommand: 2, QueryCommand: 1 });
    expect(await (await fetch(again.result.url)).text()).toBe(bytes);

    // The owner's own download still signs the original.
    const asOwner = callerFor(local, sessionUser(owner));
    expect((await asOwner.elements.getUrl({ threadId, elementId: written.elementId })).url).toContain(written.objectKey);

    // Stopping the share deletes the copy and its record; the original stays.
    await asOwner.share.revoke({ threadId });
    await expect(storage.size(copyKey)).rejects.toMatchObject({ code: "not_found" });
    expect(await table.plain(`THREAD#${threadId}`, `ELEMENT#${written.elementId}`)).not.toHaveProperty("shareCopyKey");
    expect(await storage.size(written.objectKey)).toBe(bytes.length);

    // Shared again, the copy is made again.
    await asOwner.share.create({ threadId, access: "public", expiry: "1d" });
    await viewer.share.elementUrl({ threadId, elementId: written.elementId });
    expect(copies).toBe(2);
    expect(await storage.size(copyKey)).toBe(bytes.length);
    // Expired (its day moved into the past): the read that ends it removes the copy and its record too.
    await local.data.changeShare(threadId, owner, { access: "public", expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(await readShare(local, threadId, bob)).toEqual({ kind: "missing" });
    await expect(storage.size(copyKey)).rejects.toMatchObject({ code: "not_found" });
    expect(await table.plain(`THREAD#${threadId}`, `ELEMENT#${written.elementId}`)).not.toHaveProperty("shareCopyKey");
    // Renewed: copied again at its first download; deleting the thread deletes the copy with the original.
    await asOwner.share.update({ threadId, access: "public", expiry: "7d" });
    expect(await (await fetch((await viewer.share.elementUrl({ threadId, elementId: written.elementId })).url)).text()).toBe(bytes);
    expect(copies).toBe(3);
    await asOwner.threads.delete({ threadId });
    await expect(storage.size(copyKey)).rejects.toMatchObject({ code: "not_found" });
    await expect(storage.size(written.objectKey)).rejects.toMatchObject({ code: "not_found" });
  });

  it("with sharing turned off, owners still see their shares and can stop them (Chainlit's flag cleared)", async () => {
    const t = await seedThread(services, alice.id, "Shared before sharing was turned off");
    await callerFor(services, alice).share.create({ threadId: t.threadId, access: "public", expiry: "never" });
    const off = callerFor({ ...services, env: { ...services.env, SHARE_ACCESS: null } }, alice);
    expect(await off.share.state({ threadId: t.threadId })).toMatchObject({ policy: null, shared: true });
    expect((await off.share.list({})).rows.map((r) => r.threadId)).toContain(t.threadId);
    await off.share.revoke({ threadId: t.threadId });
    expect((await services.data.getShareState(t.threadId))?.isShared).toBe(false);
  });

  it("a change of access alone keeps the share's expiry; sharing again without choosing one keeps a live expiry; an ended share stays ended", async () => {
    const asAlice = callerFor(services, alice);
    const t = await seedThread(services, alice.id, "Keeps its expiry");
    const created = (await asAlice.share.create({ threadId: t.threadId, access: "public", expiry: "7d" })) as { expiresAt: string };
    expect(await asAlice.share.update({ threadId: t.threadId, access: "signed-in" })).toMatchObject({ access: "signed-in", expiresAt: created.expiresAt });
    expect(await asAlice.share.create({ threadId: t.threadId, access: "signed-in" })).toMatchObject({ expiresAt: created.expiresAt });
    // Its time passes and the share is ended: a change of access alone does not bring it back.
    await services.data.changeShare(t.threadId, alice.id, { access: "public", expiresAt: new Date(Date.now() - 1000).toISOString() });
    await sweepExpiredShares(services);
    expect(await asAlice.share.update({ threadId: t.threadId, access: "signed-in" })).toMatchObject({ shared: true, expired: true });
    expect((await services.data.getShareState(t.threadId))?.isShared).toBe(false);
    // Sharing again without an expiry, after it passed: a new link that never expires.
    expect(await asAlice.share.create({ threadId: t.threadId, access: "signed-in" })).toMatchObject({ shared: true, expired: false, expiresAt: null });
  });

  it("an expired share ends in Chainlit too, when read or swept; the owner sees it as expired and can renew it", async () => {
    const asAlice = callerFor(services, alice);
    const t = await seedThread(services, alice.id, "Expires");
    const created = (await asAlice.share.create({ threadId: t.threadId, access: "public", expiry: "1d" })) as { sharedAt: string };
    // Its day has passed: the expiry moved into the past, as the clock would.
    await services.data.changeShare(t.threadId, alice.id, { access: "public", expiresAt: new Date(Date.now() - 1000).toISOString() });
    // Opened before any sweep came: refused, and ended for Chainlit on the way.
    expect(await readShare(services, t.threadId, null)).toMatchObject({ kind: "missing" });
    expect((await services.data.getShareState(t.threadId))?.isShared).toBe(false);
    // The sweep then only drops its marker.
    await sweepExpiredShares(services);
    expect((await services.data.getShareState(t.threadId))?.isShared).toBe(false);
    expect(await asAlice.share.state({ threadId: t.threadId })).toMatchObject({ shared: true, expired: true, sharedAt: created.sharedAt });
    expect((await asAlice.share.list({})).rows).toContainEqual(expect.objectContaining({ threadId: t.threadId, expired: true }));
    expect(await readShare(services, t.threadId, null)).toMatchObject({ kind: "missing" });
    const renewed = await asAlice.share.update({ threadId: t.threadId, access: "public", expiry: "7d" });
    expect(renewed).toMatchObject({ shared: true, expired: false, sharedAt: created.sharedAt });
    expect((await services.data.getShareState(t.threadId))?.isShared).toBe(true);
    expect(await readShare(services, t.threadId, null)).toMatchObject({ kind: "shared" });
  });

  // Hostile to the owner: what a step carries beyond what the view draws is the owner's. Fails without shownOf: the
  // prompt, the app's metadata and the tags reached an anonymous viewer's page data and the copier's thread.
  it("a share shows, and a copy keeps, only what the view draws of a step or element: never an LLM step's prompt, the app's metadata or tags, an element's props or path", async () => {
    const t = await seedThread(services, alice.id, "Prompted");
    const secret = `system-prompt-${randomUUID()}`;
    const at = new Date(Date.UTC(2025, 2, 4, 9, 15, 2, 500)).toISOString();
    await services.data.createStep({
      id: randomUUID(), threadId: t.threadId, parentId: t.userStepId, type: "llm", name: "gpt", input: "the question", output: "the answer", createdAt: at,
      generation: { messages: [{ role: "system", content: secret }], settings: { api_base: secret } }, metadata: { retrieved: secret, cancelled: true }, tags: [secret], command: secret, icon: secret,
    });
    // A custom element's data and where Chainlit's server kept a file on its disk.
    await services.data.createElement({ id: randomUUID(), threadId: t.threadId, forId: t.assistantStepId, type: "custom", name: "widget", display: "inline", props: { token: secret }, path: `/srv/.files/${secret}`, chainlitKey: secret, playerConfig: { key: secret } });
    await callerFor(services, alice).share.create({ threadId: t.threadId, access: "public", expiry: "never" });
    const read = await readSharePage(services, t.threadId, null);
    expect(read.kind).toBe("shared");
    const page = (read as Extract<typeof read, { kind: "shared" }>).thread;
    expect(JSON.stringify(page)).not.toContain(secret);
    const shown = page.steps.find((step) => step.type === "llm")!;
    expect(shown).toMatchObject({ name: "gpt", input: "the question", output: "the answer", metadata: { cancelled: true } });
    const { id } = await callerFor(services, bob).share.continue({ threadId: t.threadId });
    const copy = await callerFor(services, bob).threads.get({ threadId: id });
    expect(JSON.stringify(copy)).not.toContain(secret);
    expect(copy.elements.map((element) => element.name).sort()).toEqual(["chart.png", "sales q3.csv", "widget"]);
    expect(copy.steps.find((step) => step.type === "llm")).toMatchObject({ input: "the question", output: "the answer", metadata: { cancelled: true } });
    // The owner's own view is as it was.
    expect(JSON.stringify(await callerFor(services, alice).threads.get({ threadId: t.threadId }))).toContain(secret);
  });

  it("a signed-in viewer continues a share in their own history: a new thread with the snapshot and a downloadable copy of the file", async () => {
    const t = await seedThread(services, alice.id, "Continue me");
    await callerFor(services, alice).share.create({ threadId: t.threadId, access: "signed-in", expiry: "never" });
    const asBob = callerFor(services, bob);
    const { id } = await asBob.share.continue({ threadId: t.threadId });
    expect(id).not.toBe(t.threadId);
    await callerFor(services, alice).threads.delete({ threadId: t.threadId });
    const copy = await asBob.threads.get({ threadId: id });
    expect(copy).toMatchObject({ name: "Continue me", userId: bob.id });
    // None of the owner's metadata (Chainlit's session) came along into the copy.
    expect((await services.data.getThread(id))?.metadata ?? {}).toEqual({});
    expect(copy.steps.map((s) => s.output)).toEqual(["What were **Q3** sales?", "4 rows\n```\nnot a fence end\n```", "Revenue was *€612k*."]);
    const csv = copy.elements.find((e) => e.name === "sales q3.csv")!;
    expect(await (await fetch(csv.url!)).text()).toBe(t.blob);
    expect(await readShare(services, t.threadId, bob)).toEqual({ kind: "missing" });
  });
});
