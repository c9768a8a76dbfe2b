import NextAuth from "next-auth";
import { headers } from "next/headers";
import { cache } from "react";
import { authConfig } from "./config";
import type { SessionUser } from "./session-user";
import { getServices } from "../services";
import { sessionUserFromRequest } from "./sessions";
import { userOfTheTab } from "./storage-owner";

const nextAuth = NextAuth(authConfig);

export const { handlers, signIn, signOut } = nextAuth;

/**
 * The signed-in user of a page render, read once per render (React cache), from the session cookie alone as API
 * requests read it (below): `auth()` re-encrypts a fresh token on every call, which a page cannot even send back (a
 * server component sets no cookies), and it was the largest cost of a page's session read. Same answer: the token
 * decoded and verified, its session version checked (sessions.ts), the same user or null.
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => sessionUserFromRequest(getServices(), { headers: await headers() }, process.env.AUTH_SECRET));

/**
 * The signed-in user of an API request, from the session cookie alone. `auth()` also re-encrypts a fresh token on
 * every call (a second JWE and key derivation per request, dropped since route handlers here never set it): the
 * HTTP benchmark showed next-auth's crypto as the largest single cost of a tRPC call. Decoding verifies the token the
 * same way (authenticated encryption, expiry), and the session version is checked as the jwt callback checks it
 * (sessions.ts), so the answer is the same user or null. A DataError (the table unreachable) is thrown, not a null.
 */
export const userFromRequest = (req: Request): Promise<SessionUser | null> => {
  const services = getServices();
  return sessionUserFromRequest(services, req, services.env.AUTH_SECRET);
};

/**
 * The signed-in user of an API request made by one of the app's pages, only while the session is still that page's
 * user's (storage-owner.ts, userOfTheTab): null, a 401, when another user signed in under the page meanwhile.
 */
export const tabUserFromRequest = async (req: Request): Promise<SessionUser | null> =>
  userOfTheTab(await userFromRequest(req), req, getServices().env.AUTH_SECRET);
