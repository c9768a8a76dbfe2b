/**
 * The tag under which a signed-in user's browser storage is kept (lib/client/client-state.ts, claimClientState): an
 * HMAC of the user id, so the storage tells one user from another without naming either to whoever uses the browser
 * next. Without AUTH_SECRET (a dev server) a per-process key: a restart then only empties the storage once more.
 */
import { createHmac, randomBytes } from "node:crypto";
import { TAB_USER_HEADER, TAB_USER_PARAM } from "@/lib/shared/tab-user";

const PROCESS_KEY = randomBytes(32);

export function storageOwnerTag(userId: string, secret: string | undefined): string {
  return createHmac("sha256", secret ?? PROCESS_KEY)
    .update(`browser-storage\n${userId}`)
    .digest("base64url")
    .slice(0, 22);
}

/**
 * The request's user, or null when the request says it was made by a page of another user (`TAB_USER_HEADER`, or
 * `TAB_USER_PARAM` for a navigation: the tag the page's tab claimed): the session cookie changed under that page (a
 * sign-in as someone else in another tab, before this one heard of it), and acting on its request would send alice's
 * text as bob's message, import her file into his account, or give her his data under her page. Null is a 401,
 * which takes a page away (lib/client/client-state.ts, sessionEnded). A request that says nothing (a share page, a
 * script) is left to the cookie alone.
 */
export function userOfTheTab<U extends { id: string }>(user: U | null, req: Request, secret: string | undefined): U | null {
  const tab = req.headers.get(TAB_USER_HEADER) ?? new URL(req.url).searchParams.get(TAB_USER_PARAM);
  return tab === null || user === null || storageOwnerTag(user.id, secret) === tab ? user : null;
}
