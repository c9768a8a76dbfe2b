import type { NextAuthConfig } from "next-auth";
import { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getServices } from "../services";
import { checkCredentials } from "./credentials";

class RateLimitedSignin extends CredentialsSignin {
  override code = "rate_limited";
}

/** Threadbook's next-auth setup: JWT sessions; the user's id is their identifier (Chainlit's convention). */
export const authConfig = {
  trustHost: true,
  session: { strategy: "jwt" },
  pages: { signIn: "/sign-in" },
  providers: [
    Credentials({
      id: "credentials",
      name: "Password",
      credentials: { identifier: { label: "Email or username" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, request) {
        const address = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || "local";
        const result = await checkCredentials(getServices().data, credentials, address);
        if (result.ok) return { id: result.user.id, name: result.user.name, email: result.user.identifier };
        if (result.reason === "rate_limited") throw new RateLimitedSignin();
        return null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
} satisfies NextAuthConfig;
