/**
 * What a share allows under this deployment's SHARE_ACCESS (docs/sharing.md, "Rules"). Pure: the share page, its
 * download links, "Continue in my history" and the owner's list all decide with these.
 */
import { threadNameShown, timestampMicros, type ShareAccess, type ShareState } from "@/data";
import type { SharePolicy } from "../env";

export interface EffectiveShare {
  sharedAt: string;
  access: ShareAccess;
  expiresAt: string | null;
  origin: "threadbook" | "chainlit";
  expired: boolean;
  /** The thread's name when shared (ShareSettings.name); undefined when the settings kept none. */
  name?: string | null;
}

/** The name a share shows: the one it was shared under, else (older settings, a share Chainlit made) the thread's own. */
export const sharedName = (share: Pick<EffectiveShare, "name">, threadName: string | null | undefined): string | null =>
  share.name !== undefined ? share.name : threadNameShown(threadName);

/**
 * The share as it applies now, or null when the thread is not shared (or sharing is off). A share Chainlit made has
 * no settings of Threadbook's: it gets the deployment's default access and no expiry. Settings naming an access the
 * deployment no longer offers fall back to the default too, so removing `public` from SHARE_ACCESS closes every
 * public link at once. An expiry that cannot be read counts as expired. A share the expiry sweep ended (Chainlit's
 * flag cleared) is still the owner's to see, stop or renew, as expired. A share the owner stopped is no share, even
 * with Chainlit's flag saved back on over it.
 */
export function effectiveShare(state: ShareState | null, policy: SharePolicy | null, now = Date.now()): EffectiveShare | null {
  if (!policy || !(state?.isShared || state?.endedByExpiry) || state.sharedAt === null || state.userId === null || state.settings?.stopped) return null;
  const settings = state.settings;
  const access = settings?.access && policy.choices.includes(settings.access) ? settings.access : policy.default;
  const expiresAt = settings?.expiresAt ?? null;
  const expiry = expiresAt === null ? null : timestampMicros(expiresAt);
  // Ended by the expiry sweep (its flag cleared for Chainlit): expired whatever this instance's clock says.
  const expired = state.endedByExpiry || (expiresAt !== null && (expiry === null || expiry <= now * 1000));
  return { sharedAt: state.sharedAt, access, expiresAt, origin: settings?.origin ?? "chainlit", expired, ...(settings?.name !== undefined ? { name: settings.name } : {}) };
}

/** The expiry choices of the Share dialog, in days; null = never. */
export const SHARE_EXPIRY_CHOICES = ["1d", "7d", "30d", "never"] as const;
export type ShareExpiryChoice = (typeof SHARE_EXPIRY_CHOICES)[number];

const DAY_MS = 24 * 60 * 60 * 1000;
export function expiryFrom(choice: ShareExpiryChoice, now = Date.now()): string | null {
  if (choice === "never") return null;
  return new Date(now + Number.parseInt(choice, 10) * DAY_MS).toISOString();
}
