/**
 * The tag under which a signed-in user's browser storage is kept (lib/client/client-state.ts, claimClientState): an
 * HMAC of the user id, so the storage tells one user from another without naming either to whoever uses the browser
 * next. Without AUTH_SECRET (a dev server) a per-process key: a restart then only empties the storage once more.
 */
import { createHmac, randomBytes } from "node:crypto";

const PROCESS_KEY = randomBytes(32);

export function storageOwnerTag(userId: string, secret: string | undefined): string {
  return createHmac("sha256", secret ?? PROCESS_KEY)
    .update(`browser-storage\n${userId}`)
    .digest("base64url")
    .slice(0, 22);
}
