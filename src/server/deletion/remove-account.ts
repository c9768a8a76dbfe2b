/**
 * `npm run user -- remove <identifier>` (scripts/user.ts): the app's own complete account deletion, run in the
 * command's process instead of a server's background (docs/security.md, "Deleting everything"). The same job item and
 * the same runner as "Delete my account": so a server that sees the job meanwhile leaves it to this process while it
 * writes progress, and takes it over if this process dies; and a failed "Delete my account" is finished by it.
 */
import { randomUUID } from "node:crypto";
import type { DynamoDBDataLayer } from "@/data";
import { DELETION_STALE_AFTER_MS, runDeletion } from "./run-deletion";

export type RemoveAccountOutcome =
  /** Everything of the account went: its threads (this many, with the claims imports left) and its items. */
  | { kind: "removed"; deleted: number }
  /** A server runs a delete job of the user's: it is an account deletion now and finishes there. */
  | { kind: "left-to-the-app" }
  /** A run failed; the job stays, for the app's sweep to retry after its backoff, or for this command again. */
  | { kind: "failed"; error: string }
  /** An import of the user is running: it would write threads the deletion cannot tell from old ones. */
  | { kind: "import-running" };

export async function removeAccount(data: DynamoDBDataLayer, identifier: string, now = Date.now()): Promise<RemoveAccountOutcome> {
  const [latest] = await data.listImportJobs(identifier, 1);
  if (latest?.status === "running") return { kind: "import-running" };
  const runner = `cli-${randomUUID()}`;
  const { job, created } = await data.startDeletionJob(identifier, "account", runner);
  // An existing running job, widened to the account by startDeletionJob: taken over here only when its runner is silent.
  // An operator's run is asked for, so it starts the count of runs without progress again (running-jobs.ts).
  const silent = !created && now - Date.parse(job.updatedAt) > DELETION_STALE_AFTER_MS;
  const mine = created ? job : silent ? await data.claimDeletionJob(identifier, runner, job, true) : null;
  // The AUTH item first, as user.deleteAccount does: no password works and every session ends from here on.
  await data.deleteUser(identifier);
  if (!mine) return { kind: "left-to-the-app" };
  // No session cache in this process: the servers notice the AUTH item gone within SESSION_CHECK_SECONDS.
  const deleted = await runDeletion({ data, sessions: { forget: () => undefined } }, mine, runner);
  if (deleted !== null) return { kind: "removed", deleted };
  const after = await data.getDeletionJob(identifier);
  return { kind: "failed", error: after?.error ?? "the deletion did not finish" };
}
