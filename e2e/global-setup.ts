/**
 * Playwright global setup: the local OpenID Provider the OIDC spec signs in with, and the fake OpenAI-compatible
 * server that answers when a thread is continued. Playwright starts the app (webServer) before this runs, which is
 * fine: the app only contacts either when someone signs in or sends a message.
 */
import type { FullConfig } from "@playwright/test";
import { startFakeOpenAI } from "../test/fake-openai";
import { FAKE_OPENAI_PORT } from "./fake-openai-port";
import { startOidcProvider } from "./oidc-provider";

export default async function globalSetup(config: FullConfig) {
  const baseURL = config.projects[0]?.use.baseURL ?? "http://localhost:3100";
  const { port } = new URL(baseURL);
  // Auth.js builds its callback URL from the host Next reports, which is localhost; measured on this toolchain.
  const redirectUris = ["localhost", "127.0.0.1"].map((host) => `http://${host}:${port}/api/auth/callback/oidc`);
  const provider = await startOidcProvider({ redirectUris });
  const openai = await startFakeOpenAI({ port: FAKE_OPENAI_PORT, tokenDelayMs: 40 });
  return async () => {
    await Promise.all([provider.stop(), openai.stop()]);
  };
}
