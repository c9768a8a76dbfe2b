import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import { IdSchema, type ThreadOutline } from "@/data";
import { assertMessageBudget } from "./chat/message-budget";
import { claimThread, releaseThreadClaim, type ThreadClaim } from "./chat/thread-claim";
import type { Context } from "./context";
import { RefusalCause, toTRPCError } from "./errors";
import { findOwnedThread, findOwnedThreadOutline, findOwnedThreadRef, THREAD_NOT_FOUND } from "./thread/thread-access";
import { transformer } from "./transformer";

const t = initTRPC.context<Context>().create({
  transformer,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof z.ZodError ? z.flattenError(error.cause) : null;
    // Never ship a stack to the browser.
    const { stack: _stack, ...data } = shape.data;
    const refusal = error.cause instanceof RefusalCause ? error.cause.refusal : null;
    return { ...shape, data: { ...data, zodError, refusal } };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps data-layer errors to tRPC codes for every procedure (server/errors.ts). */
const errorMapping = t.middleware(async ({ next }) => {
  const result = await next();
  // tRPC wraps anything that is not a TRPCError as INTERNAL_SERVER_ERROR with the original as its cause.
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR") throw toTRPCError(result.error.cause ?? new Error(result.error.message));
  return result;
});

export const publicProcedure = t.procedure.use(errorMapping);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

const threadInput = protectedProcedure.input(z.object({ threadId: IdSchema }));
const threadNotFound = () => new TRPCError({ code: "NOT_FOUND", message: THREAD_NOT_FOUND });

/**
 * Every procedure that names a thread goes through one of these two, and so through thread-access.ts. The thread read
 * there travels in the context (`ctx.thread`), so no procedure reads it again. Someone else's thread and a missing
 * one get the same NOT_FOUND, so ids cannot be probed.
 *
 * `threadProcedure`: one GetItem of the owner, for procedures that only need the id (rename, delete, feedback, files).
 */
export const threadProcedure = threadInput.use(async ({ ctx, input, next }) => {
  const thread = await findOwnedThreadRef(ctx.services.data, ctx.user, input.threadId);
  if (!thread) throw threadNotFound();
  return next({ ctx: { ...ctx, thread, threadId: thread.id } });
});

/**
 * `threadPassProcedure`: as threadProcedure, but a valid thread pass (from threads.get) replaces the GetItem, so a
 * 👍/👎 click is one round trip. Only for writes that are conditional on the step existing (feedback), which a pass
 * can therefore never use to create or revive anything.
 */
export const threadPassProcedure = protectedProcedure
  .input(z.object({ threadId: IdSchema, pass: z.string().max(64).optional() }))
  .use(async ({ ctx, input, next }) => {
    const thread = await findOwnedThreadRef(ctx.services.data, ctx.user, input.threadId, { passes: ctx.services.threadPasses, pass: input.pass });
    if (!thread) throw threadNotFound();
    return next({ ctx: { ...ctx, thread, threadId: thread.id } });
  });

type GateContext = Context & { user: NonNullable<Context["user"]> };

/** `threadContentProcedure`: the whole thread, read only once its owner is checked (export; findOwnedThread). */
export const threadContentProcedure = threadInput.use(async ({ ctx, input, next }) => {
  const thread = await findOwnedThread(ctx.services.data, ctx.user, input.threadId);
  if (!thread) throw threadNotFound();
  return next({ ctx: { ...ctx, thread, threadId: thread.id } });
});

/** The caller's thread in outline; what the procedure must check besides the thread goes out beside its read: no round trip of its own. */
async function ownedOutline(ctx: GateContext, threadId: string, alongside: ReadonlyArray<Promise<void> | undefined>) {
  const [outline] = await Promise.all([findOwnedThreadOutline(ctx.services.data, ctx.user, threadId), ...alongside]);
  if (!outline) throw threadNotFound();
  return outline;
}

/**
 * `threadWindowProcedure`: the same one read and owner check, but only the steps of the window sent are decoded and
 * only its element links signed (threads.get, threads.turns; docs/long-threads.md).
 */
export const threadWindowProcedure = threadInput.use(async ({ ctx, input, next }) => {
  const outline = await ownedOutline(ctx, input.threadId, []);
  return next({ ctx: { ...ctx, outline, threadId: outline.thread.id } });
});

/**
 * The outline, the sender's message budget and the claim on the thread (chat/thread-claim.ts), all three side by side:
 * one round trip before the model is asked. A request refused here gives back the claim it took, once its take has
 * landed (given back before, the take would land after and hold the thread for nothing); so does one refused after the
 * gate by the procedure's own input (chat.edit's text) before its events began. Otherwise the procedure gives it back
 * when its events end (holdingClaim).
 */
async function withClaim<R extends { ok: boolean }>(ctx: GateContext, threadId: string, next: (gate: { outline: ThreadOutline; threadId: string; claim: ThreadClaim }) => Promise<R>): Promise<R> {
  const { data } = ctx.services;
  const taking = claimThread(data, ctx.user.identifier, threadId);
  const release = async () => releaseThreadClaim(data, ctx.user.identifier, threadId, await taking.catch(() => null));
  const [outline, claim] = await Promise.all([ownedOutline(ctx, threadId, [assertMessageBudget(ctx.services, ctx.user.identifier)]), taking]).catch(async (error: unknown) => {
    await release();
    throw error;
  });
  const result = await next({ outline, threadId: outline.thread.id, claim });
  if (!result.ok) await release();
  return result;
}

/**
 * `threadMessageProcedure`: the thread a message is sent into (chat.send), in outline: a turn reads whole only the
 * newest messages it sends the model, never a long thread's every step. With the budget and the claim (withClaim), so a
 * send beside another send, an edit or a regenerate of the same thread is refused before either writes.
 */
export const threadMessageProcedure = threadInput.use(({ ctx, input, next }) => withClaim(ctx, input.threadId, (gate) => next({ ctx: { ...ctx, ...gate } })));

/**
 * `threadRewriteProcedure`: a step of the caller's thread from which the thread is rewritten (chat.regenerate,
 * chat.edit), with the same budget and claim as a send, so a second writer at once is refused before either deletes
 * anything.
 */
export const threadRewriteProcedure = protectedProcedure
  .input(z.object({ threadId: IdSchema, stepId: IdSchema }))
  .use(({ ctx, input, next }) => withClaim(ctx, input.threadId, (gate) => next({ ctx: { ...ctx, ...gate } })));
