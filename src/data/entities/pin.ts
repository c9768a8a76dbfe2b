import { z } from "zod";
import { IdSchema, TimestampSchema } from "./common";
import { ThreadSummarySchema } from "./thread";

export { MAX_PINNED_THREADS } from "./limits";

/**
 * A user's pinned threads as stored: `USER#{identifier}` / `PINS`, one map from thread id to the time it was pinned
 * (docs/data-layer.md, "Pinned threads"). Chainlit's create_user PutItems only the `USER` item of that partition.
 */
export const PinsSchema = z.object({
  pins: z.record(IdSchema, TimestampSchema),
});
export type Pins = z.infer<typeof PinsSchema>;

/** A row of the sidebar's Pinned section: the thread as it is now (its current name and activity) and when it was pinned. */
export const PinnedThreadSchema = ThreadSummarySchema.extend({
  pinnedAt: TimestampSchema,
});
export type PinnedThread = z.infer<typeof PinnedThreadSchema>;
