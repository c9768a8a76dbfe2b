import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { IdSchema, parseFeedbackId } from "@/data";
import { createTRPCRouter, threadPassProcedure } from "../trpc";
import { FeedbackIdSchema, FeedbackUpsertInputSchema } from "./schemas";

/**
 * Chainlit's feedback routes had no ownership check at all (docs/chainlit.md, "Server routes and ownership"): any signed-in user could
 * rate or clear feedback in any thread. Here both go through threadProcedure, and the step must be in that thread.
 */
export const feedbackRouter = createTRPCRouter({
  /**
   * The caller owns the thread (threadPassProcedure), so its userId is known: the layer skips its own GetItem. With
   * the page's thread pass the ownership read goes too: one round trip (the step and its marker, side by side).
   */
  upsert: threadPassProcedure.input(FeedbackUpsertInputSchema).mutation(async ({ ctx, input }) => {
    const feedbackId = await ctx.services.data.upsertFeedback(
      { threadId: ctx.threadId, forId: input.forId, value: input.value, comment: input.comment ?? null },
      { threadUserId: ctx.user.id },
    );
    return { feedbackId };
  }),

  /**
   * The id names its own thread; it must be the one whose ownership was checked, or Bob could send his own
   * threadId with Alice's feedback id. A malformed id is NOT_FOUND like any unknown one.
   */
  delete: threadPassProcedure.input(z.object({ feedbackId: FeedbackIdSchema })).mutation(async ({ ctx, input }) => {
    const parsed = parseFeedbackId(input.feedbackId);
    if (!parsed || parsed.threadId !== ctx.threadId || !IdSchema.safeParse(parsed.stepId).success) {
      throw new TRPCError({ code: "NOT_FOUND", message: "Feedback not found" });
    }
    return { deleted: await ctx.services.data.deleteFeedback(input.feedbackId) };
  }),
});
