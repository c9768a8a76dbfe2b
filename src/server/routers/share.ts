/**
 * Share links (docs/sharing.md). The owner's procedures (state, create, update, revoke) go through threadProcedure,
 * the one thread gate: someone else's thread is NOT_FOUND like a missing one. The viewer's procedures (elementUrl,
 * continue) are authorised by the share itself through readShare, rate limited per client address, and answer
 * NOT_FOUND for anything that is not a live share, whatever the reason.
 */
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { IdSchema, mapLimited, PaginationSchema, readUrlOptions, ShareAccessSchema, type ShareState, type StorageClient, type ThreadWithContent } from "@/data";
import type { Context } from "../context";
import { refusedError, refusingFullThread } from "../errors";
import { effectiveShare, expiryFrom, SHARE_EXPIRY_CHOICES } from "../share/share-policy";
import { assertSharePreviewRate, assertShareRate, maySharePreviewBeMade } from "../share/share-rate-limit";
import { readShare, readSharedOutline, sharedWindow, snapshotElement, stepsWithoutOwner } from "../share/shared-thread";
import { aroundShareRange, rangeOfShareCursor } from "../share/share-window";
import { turnIndexOfStep } from "../thread/thread-window";
import { ThreadTurnsInputSchema } from "./schemas";
import { chargeUpload } from "../upload-budget";
import { createTRPCRouter, protectedProcedure, publicProcedure, threadProcedure } from "../trpc";

/** `expiry` left out: a change keeps the share's own expiry; a new share (or sharing again) keeps a live one's, else never. */
const ShareChoiceInputSchema = z.object({ access: ShareAccessSchema, expiry: z.enum(SHARE_EXPIRY_CHOICES).optional() });
const SHARED_LINKS_PAGE = 20;
const NOT_SHARED = "Not found";
/** Download links the share page asks for live one minute: enough to start a download or draw a preview. */
const SHARE_URL_SECONDS = 60;

/** Storage HEADs in flight at once while a copy's size is counted: nothing bounds how many files a thread has. */
const SIZE_CHECKS_IN_FLIGHT = 8;

/**
 * What a copy of `thread` stores: its steps as the table holds them (about their JSON) and its attachments' bytes. An
 * attachment Chainlit stored records no `bytes`: its size is asked of storage (a HEAD each, SIZE_CHECKS_IN_FLIGHT at a
 * time), or copying a thread with large Chainlit files again and again would count nothing.
 */
async function copiedBytes(storage: StorageClient, thread: ThreadWithContent): Promise<number> {
  const sizes = await mapLimited(thread.elements, SIZE_CHECKS_IN_FLIGHT, async (element) => element.bytes ?? (element.objectKey ? storage.size(element.objectKey) : 0));
  return Buffer.byteLength(JSON.stringify(thread.steps)) + sizes.reduce((sum, bytes) => sum + bytes, 0);
}

/** The deployment's choices; sharing off is a clear 403 for the owner (the share page itself is then a 404). */
function policyOf(ctx: Pick<Context, "services">) {
  const policy = ctx.services.env.SHARE_ACCESS;
  if (!policy) throw new TRPCError({ code: "FORBIDDEN", message: "Sharing is turned off on this server" });
  return policy;
}

function checkedChoice(ctx: Pick<Context, "services">, input: z.infer<typeof ShareChoiceInputSchema>) {
  const policy = policyOf(ctx);
  if (!policy.choices.includes(input.access)) throw new TRPCError({ code: "BAD_REQUEST", message: `access must be one of: ${policy.choices.join(", ")}` });
  return { access: input.access, expiresAt: input.expiry === undefined ? undefined : expiryFrom(input.expiry) };
}

/**
 * How the owner's dialog and list describe shares. With sharing off no link opens (readShare), but owners still see
 * their shares, as signed-in ones, so they can stop them (which clears Chainlit's flag too).
 */
const ownerPolicy = (ctx: Pick<Context, "services">) => ctx.services.env.SHARE_ACCESS ?? { choices: ["signed-in" as const], default: "signed-in" as const };

/** The owner's view of a share: what the dialog and the list show. */
function ownerView(state: ShareState | null, ctx: Pick<Context, "services">) {
  const share = effectiveShare(state, ownerPolicy(ctx));
  return share ? { shared: true as const, ...share } : { shared: false as const };
}

const notShared = () => new TRPCError({ code: "NOT_FOUND", message: NOT_SHARED });

export const shareRouter = createTRPCRouter({
  /** What this deployment offers (the dialog's choices), and the thread's share if any. */
  state: threadProcedure.query(async ({ ctx }) => {
    const policy = ctx.services.env.SHARE_ACCESS;
    return { policy, ...ownerView(await ctx.services.data.getShareState(ctx.threadId), ctx) };
  }),

  /** Shares the thread now, or again: the snapshot moves to now. */
  create: threadProcedure.input(ShareChoiceInputSchema).mutation(async ({ ctx, input }) => {
    const { access, expiresAt } = checkedChoice(ctx, input);
    // Sharing again without choosing an expiry keeps the current share's, while it has not passed.
    // One read of the current share serves both that and the shares the new settings remember (shareThread).
    const before = await ctx.services.data.getShareState(ctx.threadId);
    const kept = expiresAt === undefined ? effectiveShare(before, ownerPolicy(ctx)) : null;
    await refusingFullThread(ctx.services.data.shareThread(ctx.threadId, ctx.user.id, { access, expiresAt: expiresAt ?? (kept && !kept.expired ? kept.expiresAt : null) }, before));
    return ownerView(await ctx.services.data.getShareState(ctx.threadId), ctx);
  }),

  /** New access or expiry for the current share; the snapshot stays. NOT_FOUND when the thread is not shared. */
  update: threadProcedure.input(ShareChoiceInputSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.data.changeShare(ctx.threadId, ctx.user.id, checkedChoice(ctx, input));
    return ownerView(await ctx.services.data.getShareState(ctx.threadId), ctx);
  }),

  /** Stops sharing in both apps (Chainlit's flag too). Works with sharing turned off, so links can still be ended. */
  revoke: threadProcedure.mutation(async ({ ctx }) => {
    await ctx.services.data.unshareThread(ctx.threadId);
    return { shared: false as const };
  }),

  /**
   * The caller's shared links, newest first, from their share index. The first page first files threads Chainlit
   * shared since the last look (share-catch-up.ts). Expired links are listed as expired, so they can be stopped.
   */
  list: protectedProcedure
    .input(z.object({ first: PaginationSchema.shape.first.default(SHARED_LINKS_PAGE), cursor: PaginationSchema.shape.cursor }))
    .query(async ({ ctx, input }) => {
      if (!input.cursor) await ctx.services.data.catchUpShares(ctx.user.id);
      const page = await ctx.services.data.listShares(ctx.user.id, { first: input.first, cursor: input.cursor ?? undefined });
      const rows = page.rows.flatMap((row) => {
        const share = effectiveShare(row, ownerPolicy(ctx));
        return share ? [{ threadId: row.threadId, name: row.name, ...share }] : [];
      });
      return { rows, hasNextPage: page.hasNextPage, endCursor: page.endCursor };
    }),

  /**
   * More of a shared thread, in the shape the share page opened with (docs/sharing.md, "Long shares"): the page a
   * cursor from one of its windows names, or the turns around one step (a `#step-…` link). Authorised by the share
   * itself and counted against the client address like a page view; anything but a live share is NOT_FOUND before
   * the cursor is read, and a cursor of another share, of an earlier sharing of this one or of other settings, or a
   * forged one, is the one BAD_REQUEST (share-window.ts).
   */
  turns: publicProcedure.input(z.object({ threadId: IdSchema })).input(ThreadTurnsInputSchema).query(async ({ ctx, input }) => {
    await assertShareRate(ctx.services, ctx.clientAddress);
    const read = await readSharedOutline(ctx.services, input.threadId, ctx.user);
    if (read.kind !== "shared") throw notShared();
    let range;
    if (input.cursor !== undefined) range = rangeOfShareCursor(ctx.services.data, input.cursor, input.threadId, read.share, read.turns);
    else {
      const index = turnIndexOfStep(read.turns, input.stepId!);
      // A step after the snapshot, or of another thread, is not found like a missing one.
      if (index < 0) throw new TRPCError({ code: "NOT_FOUND", message: "Message not found" });
      range = aroundShareRange(index, read.turns.length);
    }
    return sharedWindow(ctx.services.data, read, range);
  }),

  /**
   * A fresh, short-lived download link for one element of a shared thread's snapshot, authorised by the share: an
   * element of another thread, or one added after the share, is NOT_FOUND like everything else.
   */
  elementUrl: publicProcedure.input(z.object({ threadId: IdSchema, elementId: IdSchema })).query(async ({ ctx, input }) => {
    await assertShareRate(ctx.services, ctx.clientAddress);
    const read = await readSharedOutline(ctx.services, input.threadId, ctx.user);
    const found = read.kind === "shared" ? snapshotElement(read, input.elementId) : null;
    // Signed to the element's own key or its share copy, never to a key that names the owner (elementsForShare).
    const element = found ? (await ctx.services.data.elementsForShare([found]))[0] : null;
    if (!element?.objectKey) throw notShared();
    const signed = await ctx.services.storage.getReadUrl(element.objectKey, {
      ...readUrlOptions(element),
      expiresInSeconds: Math.min(SHARE_URL_SECONDS, ctx.services.storageUrlExpiresSeconds),
    });
    return { url: signed.url, expiresAt: signed.expiresAt };
  }),

  /**
   * A link to the preview of an image in a shared thread's snapshot, made first if none is (as elements.preview for
   * the owner), authorised as elementUrl: an element outside the snapshot is NOT_FOUND. Not counted against the page
   * budget (a page of images asks once per image): asks have their own per-address budget, and making one is counted
   * per share (share-rate-limit.ts); past that the answer is null and the thumbnail shows the original.
   */
  elementPreview: publicProcedure.input(z.object({ threadId: IdSchema, elementId: IdSchema })).mutation(async ({ ctx, input }) => {
    await assertSharePreviewRate(ctx.services, ctx.clientAddress);
    const read = await readSharedOutline(ctx.services, input.threadId, ctx.user);
    const element = read.kind === "shared" ? snapshotElement(read, input.elementId) : null;
    if (!element?.objectKey) throw notShared();
    return ctx.services.data.elementPreview(element, () => maySharePreviewBeMade(ctx.services, input.threadId));
  }),

  /**
   * "Continue in my history": the snapshot becomes a new thread of the caller (new ids, attachments copied in
   * storage), which then opens with the composer. What the copy adds to the caller's account (its steps' text and its
   * attachments' bytes) counts against their daily upload budget, as an import of it would: otherwise copying one big
   * shared thread over and over would fill the table and the bucket from a single click.
   */
  continue: protectedProcedure.input(z.object({ threadId: IdSchema })).mutation(async ({ ctx, input }) => {
    await assertShareRate(ctx.services, ctx.clientAddress);
    const read = await readShare(ctx.services, input.threadId, ctx.user);
    if (read.kind !== "shared") throw notShared();
    const budget = await chargeUpload(ctx.services, ctx.user.id, await copiedBytes(ctx.services.storage, read.snapshot));
    if (!budget.ok) throw refusedError("TOO_MANY_REQUESTS", budget.error, budget.refusal);
    const id = randomUUID();
    let copied = false;
    try {
      // The owner's identifier stays behind, as on the share page: the copier's messages are named after the copier.
      const copy = { ...read.snapshot, steps: stepsWithoutOwner(read.snapshot, ctx.user.identifier) };
      await ctx.services.data.copyThread(copy, { threadId: id, userId: ctx.user.id });
      copied = true;
    } finally {
      // A failed copy is deleted again (copyThread), so it takes nothing from the day.
      if (!copied) await budget.charge.settle(null);
    }
    return { id };
  }),
});
