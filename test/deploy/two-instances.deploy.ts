/**
 * Many instances (docs/deploy.md, "Many instances"): two servers from the standalone artifact on one table and one
 * bucket, behind a round-robin proxy, and one user's flow across both. Every step must behave as on one instance:
 * nothing that changes behaviour lives in one process's memory.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../../scripts/app-server";
import { signIn, trpcClient } from "../../scripts/http-session";
import { createServices } from "../../src/server/services";
import { startDeployment, type Deployment } from "./deployment";
import { startRoundRobinProxy, type RoundRobinProxy } from "./round-robin-proxy";

const SHARE_PAGES_PER_MINUTE = 3;

let deployment: Deployment;
let servers: AppServer[];
let proxy: RoundRobinProxy;

beforeAll(async () => {
  deployment = await startDeployment();
  // Sessions re-read every second, so a revocation shows on every instance without a long wait.
  // A small share-page budget, so the share gate's 429 is reached in a few requests.
  const env = { TRUSTED_PROXY_HOPS: "1", SESSION_CHECK_SECONDS: "1", SHARE_RATE_PER_MINUTE: String(SHARE_PAGES_PER_MINUTE) };
  servers = await Promise.all([0, 1].map(() => startAppServer(deployment.env, env, { standaloneDir: deployment.standaloneDir })));
  proxy = await startRoundRobinProxy(servers.map((s) => s.baseUrl.replace("localhost", "127.0.0.1")));
});

afterAll(async () => {
  await proxy?.stop();
  await Promise.all((servers ?? []).map((s) => s.stop()));
  await deployment?.stop();
});

/** Runs `step` and returns which backends served the requests it made. */
async function servedBy<T>(step: () => Promise<T>): Promise<{ result: T; backends: number[] }> {
  const before = proxy.served.length;
  const result = await step();
  return { result, backends: proxy.served.slice(before) };
}

/** One credentials sign-in attempt through the proxy: the `code` Auth.js redirects with (credentials, rate_limited), or "ok". */
async function attempt(identifier: string, password: string): Promise<{ outcome: string; backend: number }> {
  const csrf = await fetch(`${proxy.baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const response = await fetch(`${proxy.baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({ csrfToken, identifier, password, callbackUrl: "/threads" }),
  });
  const backend = proxy.served.at(-1)!;
  if (response.headers.getSetCookie().some((c) => c.startsWith("authjs.session-token="))) return { outcome: "ok", backend };
  return { outcome: new URL(response.headers.get("location") ?? "", proxy.baseUrl).searchParams.get("code") ?? `HTTP ${response.status}`, backend };
}

/** What is signed per call (links, and the thread pass with its expiry in seconds) left out. */
/**
 * What two instances answer alike: each signs links (a file's and its preview's) at its own second, and a preview
 * made by the first open may be there for the second only.
 */
function withoutSignedLinks<T extends { elements: { url?: unknown; urlExpiresAt?: unknown; previewUrl?: unknown; previewUrlExpiresAt?: unknown }[]; pass?: unknown }>(
  thread: T,
): Omit<T, "pass"> {
  const { pass: _pass, ...rest } = thread;
  return {
    ...rest,
    elements: thread.elements.map(({ url: _url, urlExpiresAt: _expires, previewUrl: _preview, previewUrlExpiresAt: _previewExpires, ...element }) => element),
  };
}

describe("two instances behind a round-robin proxy", () => {
  it("runs a user's flow across both instances as on one", async () => {
    const password = deployment.env.DEMO_PASSWORD!;
    // Sign in: the CSRF token comes from one instance and the sign-in lands on the other (one AUTH_SECRET).
    const signedIn = await servedBy(() => signIn(proxy.baseUrl, "alice@example.com", password));
    expect(new Set(signedIn.backends)).toEqual(new Set([0, 1]));
    const api = trpcClient(proxy.baseUrl, signedIn.result);

    // List and open: both instances give the same answer; the list cursor signed by one is accepted by the other.
    const lists = await servedBy(async () => [await api.threads.list.query({ first: 1 }), await api.threads.list.query({ first: 1 })]);
    expect(new Set(lists.backends)).toEqual(new Set([0, 1]));
    expect(lists.result[0]).toEqual(lists.result[1]);
    const first = lists.result[0]!;
    expect(first.data).toHaveLength(1);
    expect(first.pageInfo.endCursor).toBeTruthy();
    const second = await api.threads.list.query({ first: 1, cursor: first.pageInfo.endCursor! });
    expect(second.data[0]?.id).not.toBe(first.data[0]!.id);
    const opened = await servedBy(async () => [await api.threads.get.query({ threadId: first.data[0]!.id }), await api.threads.get.query({ threadId: first.data[0]!.id })]);
    expect(new Set(opened.backends)).toEqual(new Set([0, 1]));
    // The same thread; only the signed links differ (each signs them at its own second).
    expect(withoutSignedLinks(opened.result[0]!)).toEqual(withoutSignedLinks(opened.result[1]!));
    expect(opened.result[0]!.elements.length).toBeGreaterThan(0);

    // Send a message: the thread is created on one instance, the reply streams from the other.
    const threadId = (await api.threads.create.mutate()).id;
    let runStepId = "";
    let reply = "";
    for await (const event of await api.chat.send.mutate({ threadId, messageId: randomUUID(), content: "Across instances" })) {
      if (event.type === "start") runStepId = event.runStepId;
      if (event.type === "done") reply = event.output;
    }
    expect(reply).toBe("Echo: Across instances");

    // Feedback given through one instance is seen by both, in the thread and in the feedback filter.
    await api.feedback.upsert.mutate({ threadId, forId: runStepId, value: 1 });
    for (let i = 0; i < 2; i++) {
      const thread = await api.threads.get.query({ threadId });
      expect(thread.steps.find((s) => s.id === runStepId)?.feedback?.value).toBe(1);
      expect(thread.steps.find((s) => s.type === "assistant_message")?.output).toBe("Echo: Across instances");
      expect((await api.threads.list.query({ first: 20, feedback: 1 })).data.map((t) => t.id)).toContain(threadId);
    }

    // Sign-in rate limit: failures counted on either instance add up (the counters live in the table).
    const failures: number[] = [];
    for (let i = 0; i < 10; i++) {
      // An extra request every other attempt, so the attempts alternate between the instances.
      if (i % 2 === 1) await fetch(`${proxy.baseUrl}/api/health`);
      const result = await attempt("bob@example.com", "wrong password");
      expect(result.outcome).toBe("credentials");
      failures.push(result.backend);
    }
    expect(new Set(failures)).toEqual(new Set([0, 1]));
    const limited = [await attempt("bob@example.com", password)];
    await fetch(`${proxy.baseUrl}/api/health`);
    limited.push(await attempt("bob@example.com", password));
    expect(limited.map((l) => l.outcome)).toEqual(["rate_limited", "rate_limited"]);
    expect(new Set(limited.map((l) => l.backend))).toEqual(new Set([0, 1]));

    // Revoking alice's sessions in the table (as "Sign out everywhere" or `npm run user passwd` do) ends the session on
    // both instances within SESSION_CHECK_SECONDS, although neither made the change.
    const services = createServices(deployment.env);
    try {
      await services.data.revokeUserSessions("alice@example.com");
    } finally {
      await services.data.close();
    }
    const rejectedBy = new Set<number>();
    const deadline = Date.now() + 10_000;
    while (rejectedBy.size < 2 && Date.now() < deadline) {
      const { result, backends } = await servedBy(() => api.user.me.query().then(() => "accepted", (error: { data?: { code?: string } }) => error.data?.code));
      if (result === "UNAUTHORIZED") rejectedBy.add(backends[0]!);
      else await new Promise((r) => setTimeout(r, 250));
    }
    expect(rejectedBy).toEqual(new Set([0, 1]));
  });
});

describe("page headers from the artifact's own server", () => {
  /** The nonce of a page response's CSP, after checking it names the storage origin (signed in the bundled entry). */
  function pageNonce(response: Response): string {
    const csp = response.headers.get("content-security-policy") ?? "";
    const imgSrc = csp.split("; ").find((d) => d.startsWith("img-src "))?.split(" ") ?? [];
    expect(imgSrc.slice(1, 4)).toEqual(["'self'", "data:", "blob:"]);
    expect(imgSrc[4], "the storage origin").toMatch(/^https?:\/\/[^/]+$/);
    return /'nonce-([^']+)'/.exec(csp)?.[1] ?? "";
  }

  it("a share page under its budget and its 429 over it both carry the page CSP; a client's nonce is never used", async () => {
    // Straight to one instance, as the proxy in front would send it: its address is the last X-Forwarded-For entry.
    const headers = { "x-forwarded-for": `203.0.113.${1 + Math.floor(Math.random() * 250)}`, "x-nonce": "YXR0YWNrZXI=", "content-security-policy": "script-src 'nonce-YXR0YWNrZXI='" };
    const url = `${servers[0]!.baseUrl}/share/${randomUUID()}`;
    const nonces = new Set<string>();
    for (let i = 0; i < SHARE_PAGES_PER_MINUTE; i++) {
      const page = await fetch(url, { headers });
      expect(page.status).toBe(404);
      const nonce = pageNonce(page);
      const scripts = (await page.text()).match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
      nonces.add(nonce);
    }
    const limited = await fetch(url, { headers });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    nonces.add(pageNonce(limited));
    expect(nonces.size).toBe(SHARE_PAGES_PER_MINUTE + 1);
    expect(nonces.has("YXR0YWNrZXI=")).toBe(false);
    // Another address still has its budget (the gate counts per client address).
    expect((await fetch(url, { headers: { ...headers, "x-forwarded-for": "198.51.100.77" } })).status).toBe(404);
  });
});
