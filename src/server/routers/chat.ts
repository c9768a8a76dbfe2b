import { z } from "zod";
import { IdSchema } from "@/data";
import { composerSettings } from "../chat/composer-settings";
import type { ChatEvent } from "../chat/continue-thread";
import { editMessage } from "../chat/edit-message";
import { regenerateReply, sendMessage } from "../chat/regenerate-reply";
import { holdingClaim, type HeldClaim, type ThreadClaim } from "../chat/thread-claim";
import { MessageContentSchema } from "./schemas";
import type { Services } from "../services";
import { toTRPCError } from "../errors";
import { lifecycle } from "../lifecycle/lifecycle";
import { createTRPCRouter, protectedProcedure, threadMessageProcedure, threadRewriteProcedure } from "../trpc";

/** What a turn writes with: the claim as held while its events run (holding, below). */
const replyDeps = (ctx: { services: Services; user: { identifier: string } }, held: HeldClaim) => ({
  data: ctx.services.data,
  assistant: ctx.services.assistant,
  userIdentifier: ctx.user.identifier,
  held,
});

// A shutdown near the end of its grace period stops the reply as a cancel does: what streamed is kept.
const replySignal = (signal: AbortSignal | undefined) => AbortSignal.any([signal ?? new AbortController().signal, lifecycle().stopStreaming.signal]);

/** A turn's events, with the thread's claim held until they end (chat/thread-claim.ts, holdingClaim). */
const holding = (
  ctx: { services: Services; user: { identifier: string }; threadId: string; claim: ThreadClaim },
  signal: AbortSignal | undefined,
  events: (held: HeldClaim) => AsyncGenerator<ChatEvent>,
): AsyncGenerator<ChatEvent> => holdingClaim(ctx.services.data, ctx.user.identifier, ctx.threadId, ctx.claim, signal, (held) => streamed(events(held)), ctx.services.claimClock);

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
   * it first and a retry of the same message is not stored twice: an id the thread already holds is its newest question
   * sent again, answered again in place of what its first send left (chat/regenerate-reply.ts, resendMessage), and any
   * other step's id is BAD_REQUEST. It only ever names a step inside this thread. The
   * thread is written by one request at a time: a send while another send, an edit or a regenerate of it streams is
   * CONFLICT before anything is written (threadMessageProcedure, chat/thread-claim.ts).
   */
  send: threadMessageProcedure
    .input(
      z.object({
        messageId: IdSchema,
        content: MessageContentSchema,
      }),
    )
    .mutation(({ ctx, input, signal }) =>
      holding(ctx, signal, (held) => sendMessage(replyDeps(ctx, held), { outline: ctx.outline, messageId: input.messageId, content: input.content, claim: ctx.claim }, replySignal(signal))),
    ),

  /**
   * Regenerates the thread's newest reply: the same question, with the history the old reply had, answered again; the
   * old reply (its steps, their feedback, search entries and files) is removed and the new one streams in its place,
   * as chat.send streams (chat/regenerate-reply.ts). Retry on a failed answer is this request, naming its error step.
   * The server decides from the outline the gate read that the step is the newest reply of the caller's own thread;
   * anything else is refused before anything is deleted. It counts against the message budget as a send does, and
   * holds the thread as a send does (threadRewriteProcedure).
   */
  regenerate: threadRewriteProcedure.mutation(({ ctx, input, signal }) =>
    holding(ctx, signal, (held) => regenerateReply(replyDeps(ctx, held), { outline: ctx.outline, stepId: input.stepId, claim: ctx.claim }, replySignal(signal))),
  ),

  /**
   * Edits one of the caller's questions and answers it again: the question's text is replaced, every later turn (steps,
   * feedback, search entries, files) removed, and the new reply streams as chat.send's does (chat/edit-message.ts). The
   * server decides from the outline the gate read that the step is an editable question of the caller's own thread;
   * anything else is refused before anything is written. The same budget, bounds and claim as a regenerate.
   */
  edit: threadRewriteProcedure.input(z.object({ content: MessageContentSchema })).mutation(({ ctx, input, signal }) =>
    holding(ctx, signal, (held) =>
      editMessage(replyDeps(ctx, held), { outline: ctx.outline, stepId: input.stepId, content: input.content, claim: ctx.claim }, replySignal(signal)),
    ),
  ),

  /** The composer's upload and message limits (chat/composer-settings.ts); the signed-in pages hand them over as props. */
  limits: protectedProcedure.query(({ ctx }) => composerSettings(ctx.services).limits),

  /** What answers: the UI labels the built-in assistant as a demo. */
  assistant: protectedProcedure.query(({ ctx }) => composerSettings(ctx.services).assistant),
});
