import { z } from "zod";
import { isoFromMicros, type DeletionJob } from "@/data";
import { PASSWORD_MAX } from "../auth/password";
import { assertAccountDeletionConfirmed, deletionConfirmation } from "../deletion/confirm-account-deletion";
import { cancelDeletion, lookAfterDeletion, startDeletion } from "../deletion/deletion-jobs";
import { createTRPCRouter, protectedProcedure } from "../trpc";

/** What the browser is told of a delete job: not its runner, nor a failure's internal reason. */
const deletionView = (job: DeletionJob) => ({
  kind: job.kind,
  status: job.status,
  startedAt: job.startedAt,
  total: job.total,
  deleted: job.deleted,
  /** A cancel was asked and the runner has not ended the job yet. */
  cancelling: job.status === "running" && job.kind === "threads" && job.cancelRequested,
});

/**
 * The signed-in user's account. The delete procedures take no id: they act on `ctx.user.id` alone, so no request can
 * name, watch or start another user's delete (docs/security.md, "Deleting everything").
 */
export const userRouter = createTRPCRouter({
  /** Who is signed in, as stored (never the password hash). */
  me: protectedProcedure.query(async ({ ctx }) => {
    const user = await ctx.services.data.getUser(ctx.user.id);
    return {
      id: ctx.user.id,
      identifier: user?.identifier ?? ctx.user.identifier,
      displayName: user?.displayName ?? ctx.user.name ?? null,
      createdAt: user?.createdAt ?? null,
    };
  }),

  /** The caller's delete job, if any; one whose runner went silent is taken over and resumed (deletion-jobs.ts). */
  deletion: protectedProcedure.query(async ({ ctx }) => {
    const job = await ctx.services.data.getDeletionJob(ctx.user.id);
    return job ? deletionView(await lookAfterDeletion(ctx.services, job)) : null;
  }),

  /**
   * Stops the caller's running "Delete all conversations": threads already deleted stay deleted. Refused
   * (`deletion-not-cancellable`) when none runs, and for "Delete my account" (data layer's cancelDeletionJob: why).
   */
  cancelDeletion: protectedProcedure.mutation(async ({ ctx }) => {
    const job = await cancelDeletion(ctx.services, ctx.user.id);
    return job ? deletionView(job) : null;
  }),

  /**
   * "Delete conversations older than…": the caller's period in days, null when Off, and whether its runs were stopped
   * for dying again and again (server/deletion/retention.ts); choosing the period again restarts them.
   */
  retention: protectedProcedure.query(async ({ ctx }) => {
    const setting = await ctx.services.data.getRetention(ctx.user.id);
    return { days: setting?.days ?? null, stopped: setting?.stopped ?? false };
  }),

  /**
   * Sets the caller's period, only one of the allowed ones, or Off (null). Its first run is due at once: the next
   * sweep, within minutes, deletes what is already older than the period.
   */
  setRetention: protectedProcedure
    .input(z.object({ days: z.union([z.literal(30), z.literal(90), z.literal(365), z.null()]) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.data.setRetention(ctx.user.id, input.days, isoFromMicros(Date.now() * 1000));
      return { days: input.days, stopped: false };
    }),

  /** "Delete all conversations": a job over every thread last active before now, Chainlit's included. */
  deleteAllThreads: protectedProcedure.mutation(async ({ ctx }) => deletionView(await startDeletion(ctx.services, ctx.user.id, "threads"))),

  /**
   * What "Delete my account" asks for: the password, or for a user without one the identifier and a recent sign-in
   * (whether this session's is, and which provider signs in again). Only a hint for the dialog: deleteAccount decides.
   */
  deleteAccountConfirmation: protectedProcedure.query(({ ctx }) => deletionConfirmation(ctx.services, ctx.user)),

  /**
   * "Delete my account": checked confirmation (a recent sign-in too for a user without a password), the job (all threads, then every item keyed by the user), and at once
   * the account's own items: from here no password works and every session of the user ends.
   */
  deleteAccount: protectedProcedure.input(z.object({ confirmation: z.string().min(1).max(PASSWORD_MAX) })).mutation(async ({ ctx, input }) => {
    await assertAccountDeletionConfirmed(ctx.services, ctx.user, input.confirmation, ctx.clientAddress);
    const job = await startDeletion(ctx.services, ctx.user.id, "account");
    await ctx.services.data.deleteUser(ctx.user.id);
    ctx.services.sessions.forget(ctx.user.id);
    return deletionView(job);
  }),
});
