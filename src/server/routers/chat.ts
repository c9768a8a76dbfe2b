import { z } from "zod";
import { IdSchema } from "@/data";
import { composerSettings, MESSAGE_MAX } from "../chat/composer-settings";
import { continueThread } from "../chat/continue-thread";
import { toTRPCError } from "../errors";
import { lifecycle } from "../lifecycle";
import { createTRPCRouter, protectedProcedure, threadMessageProcedure } from "../trpc";

export const chatRouter = createTRPCRouter({
  /**
   * Sends a message and streams the reply (an async generator over httpBatchStreamLink). The thread must exist and be
   * the caller's (a new chat makes one with threads.create first); anything else is NOT_FOUND, as everywhere. The gate
   * reads the thread's outline once and hands it on, and counts the message against the sender's budget beside that read
   * (chat/message-budget.ts). The client picks the message id, so attachments can be uploaded for
   * it first and a retry of the same message is not stored twice; it only ever names a step inside this thread.
   */
  send: threadMessageProcedure
    .input(
      z.object({
        messageId: IdSchema,
        content: z.string().max(MESSAGE_MAX, `A message can be at most ${MESSAGE_MAX} characters.`),
      }),
    )
    .mutation(async function* ({ ctx, input, signal }) {
      try {
        yield* continueThread(
          { data: ctx.services.data, assistant: ctx.services.assistant, userIdentifier: ctx.user.identifier },
          { outline: ctx.outline, messageId: input.messageId, content: input.content },
          // A shutdown near the end of its grace period stops the reply as a cancel does: what streamed is kept.
          AbortSignal.any([signal ?? new AbortController().signal, lifecycle().stopStreaming.signal]),
        );
      } catch (error) {
        // Errors raised while streaming skip the middleware chain: map them here, the same way.
        throw toTRPCError(error);
      }
    }),

  /** The composer's upload and message limits (chat/composer-settings.ts); the signed-in pages hand them over as props. */
  limits: protectedProcedure.query(({ ctx }) => composerSettings(ctx.services).limits),

  /** What answers: the UI labels the built-in assistant as a demo. */
  assistant: protectedProcedure.query(({ ctx }) => composerSettings(ctx.services).assistant),
});
