/**
 * Delete jobs whose runs take their process down, over real dynalite and s3rver (docs/security.md, "Deleting
 * everything"; the data layer's running-jobs.ts). Such a run never throws, so no failure is counted: it is only seen
 * as silence, and silence is a takeover. A crash is simulated as the takeover tests do it: a runner of another
 * instance claims the job, perhaps writes a heartbeat, and is never heard from again; the sweep then looks with its
 * clock past the silence. Each test fails without its rule: the count in the claim, the bound, the progress that
 * starts the count again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_RUNS_WITHOUT_PROGRESS, type DeletionJob } from "@/data";
import { tableOn, type TestTable } from "../../../test/data-fixtures";
import { callerFor, createTestServices, seedThread, sessionUser } from "../../../test/callers";
import { GIVEN_UP_MESSAGE, waitForDeletion } from "./deletion-jobs";
import { resumeInterruptedDeletions } from "./resume-deletions";
import { DELETION_STALE_AFTER_MS } from "./run-deletion";

let services: Awaited<ReturnType<typeof createTestServices>>;
let table: TestTable;
beforeAll(async () => {
  services = await createTestServices();
  table = tableOn(services.client, services.tableName);
});
afterAll(() => services.close());

const later = (job: DeletionJob) => Date.parse(job.updatedAt) + DELETION_STALE_AFTER_MS + 1_000;
const jobOf = async (userId: string) => (await services.data.getDeletionJob(userId))!;

/** Another instance takes the silent job over and dies with its process: a heartbeat, maybe progress, then nothing. */
async function takenOverAndCrashed(userId: string, runner: string, progress: { deleted?: number } = {}) {
  const claimed = await services.data.claimDeletionJob(userId, runner, await jobOf(userId));
  expect(claimed).not.toBeNull();
  await services.data.updateDeletionJob(userId, runner, {});
  // A page with nothing deleted writes the same count: not progress.
  await services.data.updateDeletionJob(userId, runner, { deleted: claimed!.deleted, ...progress });
  return claimed!;
}

describe("a delete job whose runs keep taking their process down", () => {
  it("is counted at each start, ended failed after the bound instead of taken over again, never picked up again, and run on Try again", async () => {
    const alice = sessionUser();
    const thread = await seedThread(services, alice.id, "Kept by the crashes");
    // The first run: started by an instance that died with it.
    await services.data.startDeletionJob(alice.id, "threads", "dead-0");
    expect(await jobOf(alice.id)).toMatchObject({ runsWithoutProgress: 1 });
    for (let run = 2; run <= MAX_RUNS_WITHOUT_PROGRESS; run++) {
      // Counted in the claim's own write.
      expect(await takenOverAndCrashed(alice.id, `dead-${run}`)).toMatchObject({ runsWithoutProgress: run, status: "running" });
    }

    // The next takeover would start one run too many that gets nowhere: the sweep ends the job failed instead.
    const silent = await jobOf(alice.id);
    expect(await resumeInterruptedDeletions(services, { now: later(silent) })).toBe(0);
    const failed = await jobOf(alice.id);
    expect(failed).toMatchObject({ status: "failed", error: GIVEN_UP_MESSAGE, runner: `dead-${MAX_RUNS_WITHOUT_PROGRESS}` });
    // What its owner sees is a failed delete (the sidebar's Try again), as after a run that threw.
    expect(await callerFor(services, alice).user.deletion()).toMatchObject({ status: "failed" });
    // Out of the running jobs' index, expiring as a finished job does, and no later sweep or look runs it.
    expect(await services.data.listRunningDeletionJobs()).not.toContain(alice.id);
    expect(await table.plain(`USER#${alice.id}`, "DELETION")).toHaveProperty("expiresAt");
    expect(await resumeInterruptedDeletions(services, { now: later(failed) + 86_400_000 })).toBe(0);
    expect(await jobOf(alice.id)).toEqual(failed);
    expect(await table.partitionSks(thread.threadId)).toContain("THREAD");

    // Try again is a new job, counted from one: it runs, here, to the end.
    const again = await callerFor(services, alice).user.deleteAllThreads();
    expect(again).toMatchObject({ status: "running" });
    await waitForDeletion(alice.id);
    expect(await jobOf(alice.id)).toMatchObject({ status: "done", deleted: 1, runsWithoutProgress: 1, resumes: 0 });
    expect(await table.partitionSks(thread.threadId)).toEqual([]);
  });

  it("Delete my account given up is kept, without an expiry, for a sign-in again or the operator", async () => {
    const alice = sessionUser();
    await services.data.startDeletionJob(alice.id, "account", "dead-0");
    for (let run = 2; run <= MAX_RUNS_WITHOUT_PROGRESS; run++) await takenOverAndCrashed(alice.id, `dead-${run}`);
    expect(await resumeInterruptedDeletions(services, { now: later(await jobOf(alice.id)) })).toBe(0);
    expect(await jobOf(alice.id)).toMatchObject({ kind: "account", status: "failed", error: GIVEN_UP_MESSAGE });
    expect(await table.plain(`USER#${alice.id}`, "DELETION")).not.toHaveProperty("expiresAt");
  });

  it("that deletes a page between crashes is taken over again however many times: a long job on a restless fleet finishes", async () => {
    const alice = sessionUser();
    const thread = await seedThread(services, alice.id, "Deleted in the end");
    await services.data.startDeletionJob(alice.id, "threads", "dead-0");
    // Twice the bound of takeovers, each dying after one more page was recorded.
    for (let run = 1; run <= 2 * MAX_RUNS_WITHOUT_PROGRESS; run++) {
      await takenOverAndCrashed(alice.id, `dead-${run}`, { deleted: run });
    }
    expect(await jobOf(alice.id)).toMatchObject({ status: "running", runsWithoutProgress: 1 });
    expect(await resumeInterruptedDeletions(services, { now: later(await jobOf(alice.id)) })).toBe(1);
    await waitForDeletion(alice.id);
    expect(await jobOf(alice.id)).toMatchObject({ status: "done", resumes: 2 * MAX_RUNS_WITHOUT_PROGRESS + 1 });
    expect(await table.partitionSks(thread.threadId)).toEqual([]);
  });

  it("an item written before runs were counted is taken over and counted from there", async () => {
    const alice = sessionUser();
    await services.data.startDeletionJob(alice.id, "threads", "old-version");
    await services.data.context.doc.send(
      new (await import("@aws-sdk/lib-dynamodb")).UpdateCommand({ TableName: services.tableName, Key: { PK: `USER#${alice.id}`, SK: "DELETION" }, UpdateExpression: "REMOVE runsWithoutProgress, progressAtStart" }),
    );
    expect(await jobOf(alice.id)).toMatchObject({ status: "running", runsWithoutProgress: 0, progressAtStart: 0 });
    expect(await takenOverAndCrashed(alice.id, "dead-1")).toMatchObject({ runsWithoutProgress: 1 });
  });
});
