import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { DataError, IdSchema } from "@/data";
import { createTRPCRouter, threadProcedure } from "../trpc";

export const elementsRouter = createTRPCRouter({
  /**
   * A fresh download link for one element of the caller's thread. The element is read under the thread's key, so
   * another thread's element id is simply not there. Chainlit's get_element never re-signed, so links went stale.
   */
  getUrl: threadProcedure.input(z.object({ elementId: IdSchema })).query(async ({ ctx, input }) => {
    const element = await ctx.services.data.getElement(ctx.threadId, input.elementId);
    if (!element?.objectKey) throw new TRPCError({ code: "NOT_FOUND", message: "File not found" });
    // The layer keeps the stored url when signing fails; that link is useless, so say storage is down (503).
    if (!element.url || !element.urlExpiresAt) throw new DataError("storage", `could not sign element ${element.id}`);
    return { url: element.url, expiresAt: element.urlExpiresAt };
  }),

  /**
   * A link to an image element's small preview, made on this first ask when the image was stored by another writer
   * (Chainlit) or its preview failed at upload (docs/long-threads.md, "Image previews"). `null`: the file cannot be
   * made into one, and the thumbnail shows the original. Read under the thread's key like getUrl, so another thread's
   * element is NOT_FOUND; the preview's key comes from the element item, never from the caller.
   */
  preview: threadProcedure.input(z.object({ elementId: IdSchema })).mutation(async ({ ctx, input }) => {
    const element = await ctx.services.data.getElement(ctx.threadId, input.elementId);
    if (!element?.objectKey) throw new TRPCError({ code: "NOT_FOUND", message: "File not found" });
    return ctx.services.data.elementPreview(element);
  }),

  /**
   * Removes one file of the caller's thread, item and stored object (the composer's "remove" on an attachment that
   * already finished uploading). Keyed under the thread, so another thread's element id is NOT_FOUND.
   */
  delete: threadProcedure.input(z.object({ elementId: IdSchema })).mutation(async ({ ctx, input }) => {
    if (!(await ctx.services.data.deleteElement(input.elementId, ctx.threadId))) throw new TRPCError({ code: "NOT_FOUND", message: "File not found" });
    return { deleted: true as const };
  }),
});
