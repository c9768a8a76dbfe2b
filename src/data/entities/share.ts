import { z } from "zod";
import { IdSchema, TimestampSchema, WrittenTimestampSchema } from "./common";

/** Who may open a share link: anyone holding it, or only people signed in to this Threadbook. */
export const ShareAccessSchema = z.enum(["public", "signed-in"]);
export type ShareAccess = z.infer<typeof ShareAccessSchema>;

/**
 * Threadbook's own settings of a share (`THREAD#{tid}` / `SHARE`, docs/sharing.md). `sharedAt` is the
 * `metadata.shared_at` the settings were written for: when the thread's flag carries another time, Chainlit shared it
 * again since, and these settings no longer apply. `access: null` means "the deployment's default" (a share Threadbook
 * found Chainlit made). `expiresAt: null` never expires.
 */
export const ShareSettingsSchema = z.object({
  threadId: IdSchema,
  userId: z.string(),
  sharedAt: TimestampSchema,
  access: ShareAccessSchema.nullable(),
  expiresAt: TimestampSchema.nullable(),
  origin: z.enum(["threadbook", "chainlit"]),
  /**
   * The owner stopped this share (shares.ts, unshareThread). Kept, with `expiresAt` the moment it stopped, so a
   * Chainlit session that saves its older metadata back (the flag on under the same `shared_at`) does not bring the
   * share back: it is no share to anyone, and reads end it again as an expired one.
   */
  stopped: z.boolean().optional(),
  /**
   * The `shared_at` of this thread's earlier shares that these settings replaced (shared again, stopped then shared
   * again, or a share Chainlit made and Threadbook replaced), newest last, at most SUPERSEDED_SHARES_KEPT. A Chainlit
   * session saving its older metadata back names one of them: that share is treated as stopped (shares.ts).
   */
  superseded: z.array(z.string()).optional(),
  /**
   * The thread's name when it was shared (as shown: threadNameShown), which the share shows whatever the thread is
   * called since: a rename after sharing is not shared (docs/sharing.md, "Snapshot"). Absent in settings written
   * before it was kept, and for a share Chainlit made: those show the thread's name as it is.
   */
  name: z.string().nullable().optional(),
});
export type ShareSettings = z.infer<typeof ShareSettingsSchema>;

/** What the owner chooses when sharing or changing a share. */
export const ShareChoiceSchema = z.object({
  access: ShareAccessSchema,
  expiresAt: WrittenTimestampSchema.nullable(),
});
export type ShareChoice = z.infer<typeof ShareChoiceSchema>;

/** A change to a live share: `expiresAt` left out keeps the share's own (a change of access alone never touches it). */
export const ShareChangeSchema = ShareChoiceSchema.partial({ expiresAt: true });
export type ShareChange = z.infer<typeof ShareChangeSchema>;

/**
 * A thread's share state as stored, before any deployment policy: Chainlit's flag on the THREAD item and the
 * settings item when it belongs to the current share (`settings: null` for a share only Chainlit knows of).
 */
export interface ShareState {
  threadId: string;
  userId: string | null;
  name: string | null;
  /** `metadata.is_shared === true`: Chainlit's flag, the one truth of "is it shared" for both apps. */
  isShared: boolean;
  /**
   * Threadbook's expiry ended this share and cleared the flag so Chainlit's own share route stops serving it too
   * (share-expiry.ts): the flag is false while `shared_at` still names these settings, which have expired. Chainlit's
   * unshare removes `shared_at`, so only the expiry sweep leaves this. The owner still sees the share, as expired.
   */
  endedByExpiry: boolean;
  /** `metadata.shared_at` as written (Threadbook's microsecond UTC or Chainlit's isoformat). */
  sharedAt: string | null;
  settings: ShareSettings | null;
  /** The settings item as stored, whichever share it was written for (what a new write carries forward). */
  stored: ShareSettings | null;
}
