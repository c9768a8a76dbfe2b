/**
 * A real OpenID Provider for the OIDC e2e test (oidc-provider, on 127.0.0.1), with one static client and a
 * one-form login page of its own: type any email, choose whether the provider vouches for it (email_verified true,
 * false, or no such claim), continue.
 * No consent screen: a first-party client's grant is made on the spot (oidc-provider's "skip consent" recipe).
 *
 * The app is started once per Playwright run, before any global setup, so the issuer's port is fixed and its
 * env is known when playwright.config.ts is read.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const OIDC_PORT = Number(process.env.E2E_OIDC_PORT ?? 3199);
export const OIDC_ISSUER = `http://127.0.0.1:${OIDC_PORT}`;
export const OIDC_PROVIDER_NAME = "Test IdP";
const CLIENT_ID = "threadbook-e2e";
// A throwaway secret for a provider that lives for one test run on loopback.
const CLIENT_SECRET = "threadbook-e2e-client-secret";

/** What the app needs to offer "Sign in with Test IdP" (providers.ts reads these). */
export const OIDC_APP_ENV = {
  AUTH_OIDC_ISSUER: OIDC_ISSUER,
  AUTH_OIDC_ID: CLIENT_ID,
  AUTH_OIDC_SECRET: CLIENT_SECRET,
  AUTH_OIDC_NAME: OIDC_PROVIDER_NAME,
};

// oidc-provider ships no type declarations; this is the part used here.
interface Interaction {
  uid: string;
  prompt: { name: string };
}
interface GrantInstance {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
interface OidcContext {
  oidc: {
    client: { clientId: string };
    session: { accountId?: string; grantIdFor(clientId: string): string | undefined };
    result?: { consent?: { grantId?: string } };
    provider: OidcProvider;
  };
}
interface OidcProvider {
  Grant: { new (init: { clientId: string; accountId?: string }): GrantInstance; find(id: string): Promise<GrantInstance | undefined> };
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: unknown, options: { mergeWithLastSubmission: boolean }): Promise<void>;
}

/**
 * What the provider says about the address: `email_verified` true, false, no such claim at all, or the strings
 * "true" / "TRUE" (Amazon Cognito's userinfo sends the string "true"; only exactly that counts).
 */
export type Verified = "yes" | "no" | "absent" | "string-true" | "string-TRUE";

const VERIFIED_CLAIM: Record<Exclude<Verified, "absent">, boolean | string> = { yes: true, no: false, "string-true": "true", "string-TRUE": "TRUE" };
const isVerified = (value: string | null): value is Verified => value === "absent" || (value !== null && value in VERIFIED_CLAIM);

interface Account {
  email: string;
  name: string;
  verified: Verified;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test IdP sign-in</title></head><body>
<h1>Test IdP</h1>
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
  <p><label for="email">Email</label> <input id="email" name="email" type="email" required></p>
  <p><label for="name">Name</label> <input id="name" name="name"></p>
  <p><label for="verified">Email verified</label> <select id="verified" name="verified">
    <option value="yes" selected>yes</option><option value="no">no</option><option value="absent">not said</option>
    <option value="string-true">"true" (a string)</option><option value="string-TRUE">"TRUE" (a string)</option>
  </select></p>
  <button type="submit">Continue</button>
</form></body></html>`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

export interface RunningOidcProvider {
  issuer: string;
  stop(): Promise<void>;
}

export async function startOidcProvider(options: { redirectUris: string[]; port?: number }): Promise<RunningOidcProvider> {
  const port = options.port ?? OIDC_PORT;
  const issuer = `http://127.0.0.1:${port}`;
  const accounts = new Map<string, Account>();
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  // @ts-expect-error -- untyped package (see the interfaces above)
  const { default: Provider } = (await import("oidc-provider")) as { default: new (issuer: string, config: unknown) => OidcProvider };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: options.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "e2e", use: "sig", alg: "RS256" }] },
    cookies: { keys: ["threadbook-e2e-cookie-key"] },
    // Explicit lifetimes (seconds) keep oidc-provider from warning about its defaults on every run.
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: Interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx: unknown, sub: string) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      const verified = account.verified === "absent" ? {} : { email_verified: VERIFIED_CLAIM[account.verified] };
      return { accountId: sub, claims: () => ({ sub, email: account.email, ...verified, name: account.name }) };
    },
    async loadExistingGrant(ctx: OidcContext) {
      const { client, session, result, provider: op } = ctx.oidc;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) return op.Grant.find(grantId);
      const grant = new op.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
  });

  const handleInteraction = async (req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined) => {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid || details.prompt.name !== "login") {
      res.writeHead(400, { "content-type": "text/plain" }).end(`unexpected prompt ${details.prompt.name}`);
      return;
    }
    if (req.method === "GET" && !action) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(loginPage(uid));
      return;
    }
    const form = await readForm(req);
    const email = form.get("email") ?? "";
    // The subject is deliberately not the email: the app must map sub → email itself.
    const accountId = `acct-${createHash("sha256").update(email.toLowerCase()).digest("hex").slice(0, 16)}`;
    const verified = form.get("verified");
    accounts.set(accountId, { email, name: form.get("name") ?? "", verified: isVerified(verified) ? verified : "yes" });
    await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
  };

  const oidc = provider.callback();
  const server: Server = createServer((req, res) => {
    const match = /^\/interaction\/([^/?]+)(?:\/(login))?/.exec(req.url ?? "");
    if (!match) return oidc(req, res);
    handleInteraction(req, res, match[1]!, match[2]).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
