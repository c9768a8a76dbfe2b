import type { NextAuthConfig } from "next-auth";
import { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getServices } from "../services";
import { checkCredentials } from "./credentials";
import { clientAddressOf } from "../http/client-address";
import { gatherOAuthFacts } from "./oauth-provider-api";
import { admitOAuthUser, oauthIdentity, oauthMayEnter, verifiedEmail } from "./oauth-sign-in";
import { oauthProviders, oauthSettings } from "./providers";
import { safeCallbackPath } from "./safe-callback";
import { stampSessionVersion, stampSignIn, userFromToken } from "./sessions";
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
      // Auth.js's own `type`: class names are minified in the production build.
      const type = (error as { type?: string }).type ?? error.name;
      const expected = type === "CredentialsSignin" || type === "AccessDenied";
      (expected ? authLog.info : authLog.error)(`${type}: ${error.message.split("\n")[0]}`);
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
        const result = await checkCredentials(getServices().data, credentials, clientAddressOf(request.headers));
        if (result.ok) return { id: result.user.id, name: result.user.name, email: result.user.identifier, sessionVersion: result.user.sessionVersion };
        if (result.reason === "rate_limited") throw new RateLimitedSignin();
        return null;
      },
    }),
    ...oauthProviders(),
  ],
  callbacks: {
    /**
     * OAuth/OIDC: the identifier as Chainlit maps the provider (oauth-sign-in.ts), the user item made on first
     * sign-in. A refusal goes back to the sign-in page with its reason; nothing is written and no existing user is
     * signed in to. Auth.js's random `user.id` is replaced by the identifier, which jwt() below puts in the token.
     */
    async signIn({ user, account, profile }) {
      if (!account || account.type === "credentials") return true;
      const settings = oauthSettings();
      const facts = await gatherOAuthFacts({ provider: account.provider, profile: { ...profile }, accessToken: account.access_token }, settings);
      const identity = oauthIdentity(facts, settings);
      if (!identity.ok) {
        authLog.info(`OAuth sign-in refused (${account.provider}): ${identity.reason}`);
        return `/sign-in?error=${identity.reason}`;
      }
      if (!(await oauthMayEnter(getServices().data, { identifier: identity.identifier, verifiedEmail: verifiedEmail(facts, settings) }))) {
        authLog.info(`OAuth sign-in refused (${account.provider}): PasswordAccount`);
        return "/sign-in?error=PasswordAccount";
      }
      user.id = await admitOAuthUser(getServices().data, { provider: account.provider, identifier: identity.identifier, name: user.name });
      return true;
    },
    /** `sub` is what the app scopes every query by, so it is the identifier, never the provider's subject id. */
    async jwt({ token, user, account }) {
      if (account && user?.id) Object.assign(token, { sub: user.id, email: user.id });
      // Revocable sessions (sessions.ts): the version is stamped at sign-in and checked on every later read.
      // The sign-in time and provider, for "Delete my account" (docs/security.md, "Deleting everything").
      if (account) return stampSessionVersion(getServices(), stampSignIn(token, account.provider), user?.sessionVersion);
      return (await userFromToken(getServices(), token)) ? token : null;
    },
    /** Every post-sign-in and sign-out target: this app's own paths only (safe-callback.ts). */
    redirect({ url, baseUrl }) {
      return `${baseUrl}${safeCallbackPath(url, baseUrl)}`;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
} satisfies NextAuthConfig;
