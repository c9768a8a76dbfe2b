/**
 * A signed-in HTTP client of a running Threadbook, as a browser would be: next-auth's CSRF + credentials sign-in,
 * then tRPC over httpBatchStreamLink with the session cookie. Used by the HTTP benchmark and the soak.
 */
import { createTRPCClient, httpBatchStreamLink, type TRPCClient } from "@trpc/client";
import type { AppRouter } from "../src/server/root";
import { transformer } from "../src/server/transformer";

function cookiesFrom(response: Response): string[] {
  return response.headers.getSetCookie().map((c) => c.split(";")[0]!);
}

/** Signs in with the credentials provider; returns the Cookie header a browser would send afterwards. */
export async function signIn(baseUrl: string, identifier: string, password: string): Promise<string> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = cookiesFrom(csrf);
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; ") },
    body: new URLSearchParams({ csrfToken, identifier, password, callbackUrl: "/threads" }),
  });
  const session = cookiesFrom(response).find((c) => c.startsWith("authjs.session-token="));
  if (!session) throw new Error(`sign-in of ${identifier} failed (HTTP ${response.status})`);
  return session;
}

export function trpcClient(baseUrl: string, cookie: string): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({ links: [httpBatchStreamLink({ url: `${baseUrl}/api/trpc`, transformer, headers: { cookie } })] });
}
