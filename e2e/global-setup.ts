/**
 * Playwright global setup: the local OpenID Provider the OIDC spec signs in with. Playwright starts the app
 * (webServer) before this runs, which is fine: the app only contacts the issuer when someone signs in.
 */
import type { FullConfig } from "@playwright/test";
import { startOidcProvider } from "./oidc-provider";

export default async function globalSetup(config: FullConfig) {
  const baseURL = config.projects[0]?.use.baseURL ?? "http://localhost:3100";
  const { port } = new URL(baseURL);
  // Auth.js builds its callback URL from the host Next reports, which is localhost (toolchain probe, gotcha 1).
  const redirectUris = ["localhost", "127.0.0.1"].map((host) => `http://${host}:${port}/api/auth/callback/oidc`);
  const provider = await startOidcProvider({ redirectUris });
  return () => provider.stop();
}
