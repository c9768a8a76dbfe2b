/**
 * Revocable sessions (docs/security.md, "Sessions"). Sessions are stateless JWTs, so a token alone cannot be taken
 * back: each carries the session version its user had at sign-in (`sv`), and a request passes only while the
 * user's AUTH item still holds that version. A password change, "Sign out everywhere" or removing the user
 * changes or deletes it, which ends every session on every instance within SESSION_CHECK_SECONDS.
 */
import { createHash } from "node:crypto";
import { getToken, type JWT } from "next-auth/jwt";
import type { SessionUser } from "./session-user";
import { createSessionTokenCache } from "./session-token-cache";
import type { Services } from "../services";

declare module "next-auth" {
  interface User {
    /** Set by password sign-in from the same read that checked the password. */
    sessionVersion?: string;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    /** When this session signed in (seconds since the epoch): "Delete my account" asks for a recent one. */
    authAt?: number;
    /** The provider it signed in with (`credentials` or an OAuth provider id): "Sign in again" uses the same one. */
    authProvider?: string;
  }
}

type SessionServices = Pick<Services, "data" | "sessions">;

/**
 * At sign-in: the token gets the user's session version. Password sign-in passes the version it read with the hash
 * (so a password changed a moment later still ends this session). OAuth reads it, resolving the provider's
 * identifier to the one stored, whose case may differ (docs/data-layer.md, "Users"): the session is that user's.
 * Null refuses the sign-in.
 */
export async function stampSessionVersion(services: SessionServices, token: JWT, fromSignIn: string | undefined): Promise<JWT | null> {
  if (!token.sub) return null;
  if (fromSignIn) return Object.assign(token, { sv: fromSignIn });
  const auth = await services.data.getUserAuth(token.sub);
  if (!auth) return null;
  const email = token.email === token.sub ? auth.identifier : token.email;
  return Object.assign(token, { sub: auth.identifier, email, sv: auth.sessionVersion });
}

/**
 * At sign-in, and only then: when and how this session signed in. Later reads keep both as they are (next-auth
 * re-encodes the same token), so a session's sign-in time never moves forward without a new sign-in.
 */
export function stampSignIn(token: JWT, provider: string, now = Date.now()): JWT {
  return Object.assign(token, { authAt: Math.floor(now / 1000), authProvider: provider });
}

/** The user a decoded session token stands for, or null: no token, a token from before versions, or revoked. */
export async function userFromToken(services: SessionServices, token: JWT | null): Promise<SessionUser | null> {
  if (!token?.sub) return null;
  if (!(await services.sessions.isCurrent(token.sub, token.sv))) return null;
  return {
    id: token.sub,
    identifier: typeof token.email === "string" ? token.email : token.sub,
    name: typeof token.name === "string" ? token.name : null,
    // A token from before sign-in times carries none: it counts as an old sign-in.
    signedInAt: typeof token.authAt === "number" ? token.authAt * 1000 : null,
    signInProvider: typeof token.authProvider === "string" ? token.authProvider : null,
  };
}

const SECURE_SESSION_COOKIE = "__Secure-authjs.session-token";

const decodedTokens = createSessionTokenCache();

/**
 * Decodes the request's session cookie (authenticated encryption, expiry) and checks its version. A token is decoded
 * once per browser, not per request (session-token-cache.ts): keyed by everything getToken reads (the cookie and
 * authorization headers) and the secret it decodes with.
 */
export async function sessionUserFromRequest(services: SessionServices, req: Pick<Request, "headers">, secret: string | undefined): Promise<SessionUser | null> {
  const cookie = req.headers.get("cookie") ?? "";
  const authorization = req.headers.get("authorization") ?? "";
  const secureCookie = cookie.includes(SECURE_SESSION_COOKIE);
  // A digest as the key: the cache holds neither the cookies nor the secret, and each entry stays small.
  const key = createHash("sha256").update(`${secret ?? ""}\u0000${cookie}\u0000${authorization}`).digest("base64url");
  const token = await decodedTokens.decode(key, () => getToken({ req, secret, secureCookie }));
  return userFromToken(services, token);
}

/** "Sign out everywhere": a new session version, seen at once here and within the check interval elsewhere. */
export async function revokeSessions(services: SessionServices, identifier: string): Promise<void> {
  await services.data.revokeUserSessions(identifier);
  services.sessions.forget(identifier);
}
