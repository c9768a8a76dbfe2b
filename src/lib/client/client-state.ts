/**
 * Everything the browser keeps about the signed-in user belongs to that user only. Client stores (the query cache,
 * the chat stream store) register a reset here; it runs on sign-out and whenever the page is rendered for another
 * user than the one the stores were filled for (a sign-in as someone else in the same tab, a session switched in
 * another tab), so nobody ever sees the previous user's thread titles, replies or drafts.
 */
import { TAB_USER_HEADER, TAB_USER_PARAM } from "@/lib/shared/tab-user";
import { THEME_STORAGE_KEY } from "@/lib/shared/early-scripts/theme-script";

const resets = new Set<() => void>();
/** Browser storage that describes the device, not the user: kept. */
const DEVICE_KEYS = new Set([THEME_STORAGE_KEY]);
/** Whose browser storage this is: the signed-in user's tag (server/auth/storage-owner.ts), never their identifier. */
const STORAGE_OWNER_KEY = "threadbook.storage-owner";
/** The message boxes' drafts (draft-store.ts): user storage, but kept with its tag when the session ends elsewhere. */
export const DRAFTS_STORAGE_KEY = "threadbook.drafts";
/**
 * A session that ended elsewhere (a 401) keeps the user's drafts under their tag, so signing in again as the same user
 * finds what they were typing; a sign-in as anyone else finds the tag is not theirs and empties it all (claimStorage).
 * The tag goes with the drafts: without it the next claim would empty them whoever signs in.
 */
const KEPT_AFTER_SESSION_END = new Set([...DEVICE_KEYS, STORAGE_OWNER_KEY, DRAFTS_STORAGE_KEY]);
let owner: string | null = null;
/** The storage tag this tab claimed for `owner`. */
let ownerTag: string | null = null;

export function onClientStateReset(reset: () => void): void {
  resets.add(reset);
}

function clearUserStorage(storage: Storage, kept = DEVICE_KEYS) {
  for (const key of Object.keys(storage)) if (!kept.has(key)) storage.removeItem(key);
}

/** Empties the stores and the browser storage; `sessionEnded` keeps the drafts with their tag (KEPT_AFTER_SESSION_END). */
export function resetClientState(sessionEnded = false): void {
  if (typeof window === "undefined") return;
  resets.forEach((reset) => reset());
  for (const storage of [() => window.localStorage, () => window.sessionStorage]) {
    try {
      clearUserStorage(storage(), sessionEnded ? KEPT_AFTER_SESSION_END : DEVICE_KEYS);
    } catch {
      // Storage blocked (private modes): nothing was kept there either.
    }
  }
}

/**
 * Browser storage outlives the tab, and a session can end without a sign-out here (it expired, or was ended from
 * another browser): the next user to sign in, in a fresh tab, found the previous user's keys. Storage written for
 * another user than `tag`'s is emptied before this user's pages read it.
 */
function claimStorage(tag: string): void {
  for (const storage of [() => window.localStorage, () => window.sessionStorage]) {
    try {
      const kept = storage();
      if (kept.getItem(STORAGE_OWNER_KEY) === tag) continue;
      clearUserStorage(kept);
      kept.setItem(STORAGE_OWNER_KEY, tag);
    } catch {
      // Storage blocked (private modes): nothing was kept there either.
    }
  }
}

/**
 * Called while rendering the signed-in shell (before anything under it reads a store): the first user claims the
 * stores, another user finds them emptied, and storage left by another user is emptied (`storageOwner`, the user's
 * tag). On the server there is no tab state, so nothing happens.
 */
export function claimClientState(identifier: string, storageOwner: string): void {
  if (typeof window === "undefined" || owner === identifier) return;
  if (owner !== null) resetClientState();
  claimStorage(storageOwner);
  owner = identifier;
  ownerTag = storageOwner;
}

/**
 * The tag this tab's user owns the browser storage under, or null: signed out, or another tab has claimed the storage
 * for someone else since (this tab is about to leave). A writer of user data to storage (draft-store.ts) takes the tag
 * when the user types and writes only while it is still both this tab's and the storage's.
 */
export function storageOwnerNow(): string | null {
  if (ownerTag === null) return null;
  try {
    return window.localStorage.getItem(STORAGE_OWNER_KEY) === ownerTag ? ownerTag : null;
  } catch {
    return null;
  }
}

/**
 * What this tab's tRPC requests carry: the tag of the user its page is for (lib/shared/tab-user.ts), so the server
 * answers them only while the session cookie is still that user's. None on a page of nobody's (a share page).
 */
export function tabUserHeaders(): Record<string, string> {
  return ownerTag === null ? {} : { [TAB_USER_HEADER]: ownerTag };
}

/** `path` saying whose page asked for it, for a navigation (it carries no header of ours): Export all. */
export function withTabUser(path: string): string {
  return ownerTag === null ? path : `${path}?${new URLSearchParams({ [TAB_USER_PARAM]: ownerTag })}`;
}

/** Sign-out: empty everything now, before the next user can sign in in this tab (`sessionEnded`: see resetClientState). */
export function releaseClientState(sessionEnded = false): void {
  resetClientState(sessionEnded);
  owner = null;
  ownerTag = null;
}

/**
 * Other tabs of this browser share its cookie, so a sign-out, a sign-out everywhere or a sign-in as someone else in
 * one tab changes who every other tab's requests speak for, while those tabs still hold the previous user's threads,
 * drafts and lists on screen and in memory. Each signed-in tab says who it is for on this channel, and a tab told
 * of another user (or of none) empties itself and loads the page of whoever the browser is signed in as now.
 */
const SESSION_CHANNEL = "threadbook:session";

/** Empties this tab and leaves its page for `path`, a fresh page load, so nothing is left in memory either. */
function leaveFor(path: string, sessionEnded = false): void {
  releaseClientState(sessionEnded);
  window.location.replace(path);
}

function channel(): BroadcastChannel | null {
  return typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel(SESSION_CHANNEL);
}

/** Tells the other tabs who this browser is signed in as now (`null`: nobody). */
export function announceSession(identifier: string | null): void {
  const out = channel();
  out?.postMessage({ user: identifier });
  out?.close();
}

/**
 * A page put back from the back/forward cache (Back or Forward to it after leaving it) shows what it showed then,
 * without asking the server, and it heard nothing while it was away. Chrome keeps none of the signed-in pages there
 * (they are no-store and read no-store answers, and it drops them when the session cookie changes), but a browser that
 * did would show alice's thread to whoever goes Back after her sign-out. So a page put back while the browser storage
 * is no longer its user's (signed out, or claimed for someone else) is hidden at once and loaded again: the server
 * then answers for whoever is signed in now. Storage is left alone: it may be the next user's by now.
 */
function onPageRestored(event: PageTransitionEvent): void {
  if (!event.persisted || storageOwnerNow() !== null) return;
  document.documentElement.hidden = true;
  window.location.reload();
}

/**
 * While a signed-in page is shown for `identifier`: another tab's sign-in as somebody else takes this tab to that
 * user's thread list, a sign-out there to the sign-in page, and a page put back from the back/forward cache for
 * another user than its own loads again (`onPageRestored`). Returns the clean-up.
 */
export function watchSession(identifier: string): () => void {
  window.addEventListener("pageshow", onPageRestored);
  const watch = channel();
  if (watch) {
    watch.onmessage = (event: MessageEvent<{ user?: unknown }>) => {
      const user = event.data?.user;
      if (user === identifier || (user !== null && typeof user !== "string")) return;
      leaveFor(user === null ? "/sign-in" : "/threads");
    };
    announceSession(identifier);
  }
  return () => {
    window.removeEventListener("pageshow", onPageRestored);
    watch?.close();
  };
}

/**
 * A read answered 401: this tab's session ended elsewhere (signed out everywhere, the password changed, the user
 * removed, the cookie expired). Whatever the tab still shows of its user goes now, not when someone reloads it; the
 * sign-in page brings them back here, to the drafts they were typing (kept under their tag; anyone else's sign-in
 * empties them). Only in a signed-in tab: a share page's anonymous viewer has no session to end.
 */
export function sessionEnded(): void {
  if (typeof window === "undefined" || owner === null) return;
  const back = `${window.location.pathname}${window.location.search}`;
  leaveFor(`/sign-in?callbackUrl=${encodeURIComponent(back)}`, true);
}
