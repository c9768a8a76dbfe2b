import NextAuth from "next-auth";
import { getToken } from "next-auth/jwt";
import { cache } from "react";
import { authConfig } from "./config";
import type { SessionUser } from "../context";

const nextAuth = NextAuth(authConfig);

export const { handlers, signIn, signOut } = nextAuth;

/** The signed-in user for this request, read once per render (React cache). */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await nextAuth.auth();
  const id = session?.user?.id;
  if (!id) return null;
  return { id, identifier: session.user?.email ?? id, name: session.user?.name ?? null };
});

const SECURE_SESSION_COOKIE = "__Secure-authjs.session-token";

/**
 * The signed-in user of an API request, from the session cookie alone. `auth()` also re-encrypts a fresh token on
 * every call (a second JWE and key derivation per request, dropped since route handlers here never set it): the
 * HTTP benchmark showed next-auth's crypto as the largest single cost of a tRPC call. Decoding verifies the token the
 * same way (authenticated encryption, expiry), so the answer is the same user or null.
 */
export async function userFromRequest(req: Request): Promise<SessionUser | null> {
  const secureCookie = (req.headers.get("cookie") ?? "").includes(SECURE_SESSION_COOKIE);
  const token = await getToken({ req, secret: process.env.AUTH_SECRET, secureCookie });
  if (!token?.sub) return null;
  return { id: token.sub, identifier: typeof token.email === "string" ? token.email : token.sub, name: typeof token.name === "string" ? token.name : null };
}
