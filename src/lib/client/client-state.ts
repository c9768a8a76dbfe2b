/**
 * Everything the browser keeps about the signed-in user belongs to that user only. Client stores (the query cache,
 * the chat stream store) register a reset here; it runs on sign-out and whenever the page is rendered for another
 * user than the one the stores were filled for (a sign-in as someone else in the same tab, a session switched in
 * another tab), so nobody ever sees the previous user's thread titles, replies or drafts.
 */
import { THEME_STORAGE_KEY } from "@/lib/shared/theme-script";

const resets = new Set<() => void>();
/** Browser storage that describes the device, not the user: kept. */
const DEVICE_KEYS = new Set([THEME_STORAGE_KEY]);
let owner: string | null = null;

export function onClientStateReset(reset: () => void): void {
  resets.add(reset);
}

function clearUserStorage(storage: Storage) {
  for (const key of Object.keys(storage)) if (!DEVICE_KEYS.has(key)) storage.removeItem(key);
}

export function resetClientState(): void {
  if (typeof window === "undefined") return;
  resets.forEach((reset) => reset());
  for (const storage of [() => window.localStorage, () => window.sessionStorage]) {
    try {
      clearUserStorage(storage());
    } catch {
      // Storage blocked (private modes): nothing was kept there either.
    }
  }
}

/**
 * Called while rendering the signed-in shell (before anything under it reads a store): the first user claims the
 * stores, another user finds them emptied. On the server there is no tab state, so nothing happens.
 */
export function claimClientState(identifier: string): void {
  if (typeof window === "undefined" || owner === identifier) return;
  if (owner !== null) resetClientState();
  owner = identifier;
}

/** Sign-out: empty everything now, before the next user can sign in in this tab. */
export function releaseClientState(): void {
  resetClientState();
  owner = null;
}
