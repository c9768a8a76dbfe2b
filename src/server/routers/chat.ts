import { z } from "zod";
import { IdSchema } from "@/data";
import { composerSettings, MESSAGE_MAX } from "../chat/composer-settings";
import { continueThread, type ChatEvent } from "../chat/continue-thread";
import { regenerateReply, releaseReplyClaim } from "../chat/regenerate-reply";
import type { Services } from "../services";
import { toTRPCError } from "../errors";
import { lifecycle } from "../lifecycle";
import { createTRPCRouter, protectedProcedure, threadMessageProcedure, threadReplyProcedure } from "../trpc";

const replyDeps = (ctx: { services: Services; user: { identifier: string } }) => ({
  data: ctx.services.data,
  assistant: ctx.services.assistant,
  userIdentifier: ctx.user.identifier,
});

// A shutdown near the end of its grace period stops the reply as a cancel does: what streamed is kept.
const replySignal = (signal: AbortSignal | undefined) => AbortSignal.any([signal ?? new AbortController().signal, lifecycle().stopStreaming.signal]);

/** A turn's events; errors raised while streaming skip the middleware chain, so they are mapped here, the same way. */
async function* streamed(events: AsyncGenerator<ChatEvent>): AsyncGenerator<ChatEvent> {
  try {
    yield* events;
  } catch (error) {
    throw toTRPCError(error);
  }
}

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
    .mutation(({ ctx, input, signal }) =>
      streamed(
        continueThread(replyDeps(ctx), { outline: ctx.outline, messageId: input.messageId, content: input.content }, replySignal(signal)),
      ),
    ),

  /**
   * Regenerates the thread's newest reply: the same question, with the history the old reply had, answered again; the
   * old reply (its steps, their feedback, search entries and files) is removed and the new one streams in its place,
   * as chat.send streams (chat/regenerate-reply.ts). The server decides from the outline the gate read that the step is
   * the newest reply of the caller's own thread; anything else is refused before anything is deleted. It counts
   * against the message budget as a send does, and one reply is regenerated once at a time (threadReplyProcedure).
   */
  regenerate: threadReplyProcedure.mutation(async function* ({ ctx, input, signal }) {
    let started = false;
    try {
      for await (const event of streamed(regenerateReply(replyDeps(ctx), { outline: ctx.outline, stepId: input.stepId, claimed: ctx.claimed }, replySignal(signal)))) {
        started = true;
        yield event;
      }
    } finally {
      // Refused or failed before its first event (nothing of the old reply removed for a refusal): the reply can be
      // asked again later, so the claim is taken back.
      if (!started) await releaseReplyClaim(ctx.services.data, ctx.user.identifier, input.threadId, input.stepId);
    }
  }),

  /** The composer's upload and message limits (chat/composer-settings.ts); the signed-in pages hand them over as props. */
  limits: protectedProcedure.query(({ ctx }) => composerSettings(ctx.services).limits),

  /** What answers: the UI labels the built-in assistant as a demo. */
  assistant: protectedProcedure.query(({ ctx }) => composerSettings(ctx.services).assistant),
});
