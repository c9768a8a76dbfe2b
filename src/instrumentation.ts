/**
 * Next calls register() once when the server starts: the place for work that belongs to the instance rather than
 * to a request. Here: resuming the imports and the delete jobs a dead instance left
 * (src/server/import/resume-interrupted.ts, src/server/deletion/resume-deletions.ts), ending expired shares for
 * Chainlit's share route too (src/server/share/share-expiry-sweep.ts), and the users' retention runs
 * (src/server/deletion/retention.ts), and the sweep of previews and share copies whose element Chainlit deleted
 * (src/server/deletion/orphan-objects-sweep.ts).
 */
export async function register() {
  // The edge runtime has neither the AWS SDK nor timers that outlive a request.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const [{ getServices }, { startResumingInterruptedImports }, { startSweepingExpiredShares }, { startResumingInterruptedDeletions }, { startRetentionSweep }, { startSweepingOrphanObjects }] = await Promise.all([
    import("./server/services"),
    import("./server/import/resume-interrupted"),
    import("./server/share/share-expiry-sweep"),
    import("./server/deletion/resume-deletions"),
    import("./server/deletion/retention"),
    import("./server/deletion/orphan-objects-sweep"),
  ]);
  startResumingInterruptedImports(getServices);
  startResumingInterruptedDeletions(getServices);
  startSweepingExpiredShares(getServices);
  startRetentionSweep(getServices);
  startSweepingOrphanObjects(getServices);
}
