import type { NextAuthConfig } from "next-auth";
import { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getServices } from "../services";
import { checkCredentials } from "./credentials";
import { admitOAuthUser, oauthIdentifier } from "./oauth-sign-in";
import { oauthProviders } from "./providers";
import { stampSessionVersion, userFromToken } from "./sessions";
import { getLogger } from "@/data";

const authLog = getLogger("Auth");

class RateLimitedSignin extends CredentialsSignin {
  override code = "rate_limited";
}

/** Threadbook's next-auth setup: JWT sessions; the user's id is their identifier (Chainlit's convention). */
export const authConfig = {
  trustHost: true,
  session: { strategy: "jwt" },
  // Errors (a refused OAuth account, a failed callback) land on the sign-in page, which explains them.
  pages: { signIn: "/sign-in", error: "/sign-in" },
  // Through the app's own logger: one line per event, no stack for the expected ones (a wrong password, a refused
  // OAuth account), and never the credentials or tokens next-auth's metadata could carry.
  logger: {
    error(error) {
      const expected = error.name === "CredentialsSignin" || error.name === "AccessDenied";
      (expected ? authLog.info : authLog.error)(`${error.name}: ${error.message.split("\n")[0]}`);
    },
    warn: (code) => authLog.warn(code),
    debug: () => {},
  },
  providers: [
    Credentials({
      id: "credentials",
      name: "Password",
      credentials: { identifier: { label: "Email or username" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, request) {
        const address = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || "local";
        const result = await checkCredentials(getServices().data, credentials, address);
        if (result.ok) return { id: result.user.id, name: result.user.name, email: result.user.identifier, sessionVersion: result.user.sessionVersion };
        if (result.reason === "rate_limited") throw new RateLimitedSignin();
        return null;
      },
    }),
    ...oauthProviders(),
  ],
  callbacks: {
    /** OAuth/OIDC: the user item is made on first sign-in; no usable email, no sign-in (back to /sign-in?error=AccessDenied). */
    async signIn({ user, account, profile }) {
      if (!account || account.type === "credentials") return true;
      return (await admitOAuthUser(getServices().data, { provider: account.provider, email: user.email, name: user.name, profile })) !== null;
    },
    /**
     * `sub` is what the app scopes every query by, so it must be the identifier: for OAuth that is the email, not
     * the provider's own subject id (which differs per provider and would hide the user's threads).
     */
    async jwt({ token, user, account, profile }) {
      if (account && account.type !== "credentials") {
        const identifier = oauthIdentifier({ email: user?.email, profile });
        // signIn has refused such a user already; never fall back to the provider's subject id.
        if (!identifier) return null;
        Object.assign(token, { sub: identifier, email: identifier });
      } else if (user?.id) {
        token.sub = user.id;
      }
      // Revocable sessions (sessions.ts): the version is stamped at sign-in and checked on every later read.
      if (account) return stampSessionVersion(getServices(), token, user?.sessionVersion);
      return (await userFromToken(getServices(), token)) ? token : null;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
} satisfies NextAuthConfig;
