/**
 * A browser session made to look as if it signed in long ago, the way a session cookie left in an unattended browser
 * or stolen a while back looks: the app's own cookie decoded and encoded again with an older sign-in time (`authAt`,
 * src/server/auth/sessions.ts), everything else (user, session version, provider) as the sign-in wrote it. The
 * secret is the app's: the one AUTH_SECRET gives, or the one the embedded stack keeps in its data folder.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, type BrowserContext } from "@playwright/test";
import { decode, encode } from "next-auth/jwt";

// On http://localhost next-auth's cookie has no __Secure- prefix; the name is also the key derivation's salt.
const COOKIE = "authjs.session-token";

const appSecret = () => process.env.AUTH_SECRET ?? readFileSync(path.join(process.env.E2E_DATA_DIR ?? ".data-e2e", "auth-secret"), "utf8").trim();

/** Moves this context's sign-in `seconds` into the past. */
export async function ageSignIn(context: BrowserContext, seconds: number): Promise<void> {
  const cookie = (await context.cookies()).find((c) => c.name === COOKIE);
  expect(cookie, "a session cookie").toBeDefined();
  const secret = appSecret();
  const token = await decode({ token: cookie!.value, secret, salt: COOKIE });
  expect(token?.authAt, "the sign-in time the app stamped").toEqual(expect.any(Number));
  const aged = await encode({ token: { ...token!, authAt: token!.authAt! - seconds }, secret, salt: COOKIE });
  await context.addCookies([{ ...cookie!, value: aged }]);
}
