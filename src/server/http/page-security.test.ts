import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PagePolicy } from "../security/page-policy";
import { contentSecurityPolicy, NONCE_HEADER, STRICT_TRANSPORT_SECURITY } from "../security/security-headers";
import { withPageSecurity } from "./page-security";

const POLICY: PagePolicy = { development: false, trustedProxyHops: 0, storageOrigins: ["http://127.0.0.1:9000"], signInOrigins: [] };
const BEHIND_PROXY: PagePolicy = { ...POLICY, trustedProxyHops: 1 };

/** What the stand-in for Next saw of the request headers only the server may write. */
interface Seen {
  nonce: string | undefined;
  csp: string | undefined;
  reportOnly: string | undefined;
  raw: string[];
}

/**
 * Stands in for Next's handler: answers as the path asks (a page, a 404, a redirect, a streamed page, a failure),
 * always with headers of its own, and reports what it saw in a header it sets.
 */
async function fakeNext(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const seen: Seen = {
    nonce: req.headers[NONCE_HEADER] as string | undefined,
    csp: req.headers["content-security-policy"] as string | undefined,
    reportOnly: req.headers["content-security-policy-report-only"] as string | undefined,
    raw: req.rawHeaders.filter((_, i, all) => i % 2 === 1 && /^(x-nonce|content-security-policy(-report-only)?)$/i.test(all[i - 1]!)),
  };
  res.setHeader("x-seen", JSON.stringify(seen));
  const path = req.url ?? "/";
  if (path.startsWith("/missing")) return void res.writeHead(404, { "content-type": "text/html" }).end("<p>not found</p>");
  if (path.startsWith("/moved")) return void res.writeHead(307, { location: "/threads" }).end();
  if (path.startsWith("/failing")) throw new Error("render failed");
  if (path.startsWith("/streamed")) {
    res.writeHead(200, { "content-type": "text/html", "transfer-encoding": "chunked" });
    res.write("<p>first</p>");
    await new Promise((resolve) => setImmediate(resolve));
    return void res.end("<p>rest</p>");
  }
  res.writeHead(200, { "content-type": "text/html" }).end("<p>page</p>");
}

let port = 0;
let policy = POLICY;
const server = createServer((req, res) => {
  // As server.ts answers a failure of Next's handler.
  withPageSecurity(fakeNext, async () => policy)(req, res).catch(() => {
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end("Internal error");
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** One request written byte for byte (header names, case and repeats exactly as given); the status and headers back. */
function rawGet(target: string, headerLines: string[] = []): Promise<{ status: number; headers: Map<string, string[]> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("end", () => {
      const [head] = text.split("\r\n\r\n");
      const [statusLine, ...lines] = head!.split("\r\n");
      const headers = new Map<string, string[]>();
      for (const line of lines) {
        const at = line.indexOf(":");
        const name = line.slice(0, at).toLowerCase();
        headers.set(name, [...(headers.get(name) ?? []), line.slice(at + 1).trim()]);
      }
      resolve({ status: Number(statusLine!.split(" ")[1]), headers });
    });
    socket.end([`GET ${target} HTTP/1.1`, "Host: app.example", "Connection: close", ...headerLines, "", ""].join("\r\n"));
  });
}

const nonceOf = (csp: string | undefined) => /'nonce-([^']+)'/.exec(csp ?? "")?.[1];

describe("page security headers set by the HTTP entry (hostile)", () => {
  it("gives every page path a fresh nonce: the same one in the response CSP, the request CSP and x-nonce", async () => {
    const nonces = new Set<string>();
    for (const target of ["/", "/threads", "/threads/abc?x=1", "/share/abc", "/sign-in", "/api", "/api/../threads", "/no-such-page"]) {
      const { status, headers } = await rawGet(target);
      expect(status, target).toBe(200);
      const csp = headers.get("content-security-policy");
      expect(csp, target).toHaveLength(1);
      const nonce = nonceOf(csp![0])!;
      expect(csp![0]).toBe(contentSecurityPolicy({ ...POLICY, nonce }));
      const seen = JSON.parse(headers.get("x-seen")![0]!) as Seen;
      expect(seen).toEqual({ nonce, csp: csp![0], reportOnly: undefined, raw: [nonce, csp![0]] });
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(8);
  });

  it("replaces a client's own nonce and CSP request headers, however spelled or repeated, and drops a report-only one", async () => {
    const forged = [
      "X-Nonce: attacker",
      "x-nonce: attacker2",
      "Content-Security-Policy: script-src 'nonce-attacker'",
      "content-security-policy-report-only: script-src 'nonce-attacker'",
    ];
    const page = await rawGet("/threads", forged);
    const seen = JSON.parse(page.headers.get("x-seen")![0]!) as Seen;
    const nonce = nonceOf(page.headers.get("content-security-policy")![0])!;
    expect(nonce).not.toContain("attacker");
    expect(seen.nonce).toBe(nonce);
    expect(seen.csp).toBe(page.headers.get("content-security-policy")![0]);
    expect(seen.reportOnly).toBeUndefined();
    expect(seen.raw.join(" ")).not.toContain("attacker");
    // Not a page: nothing of the client's reaches the handler either, and no page nonce is added.
    const api = await rawGet("/api/health", forged);
    expect(JSON.parse(api.headers.get("x-seen")![0]!)).toEqual({ raw: [] });
    expect(api.headers.get("content-security-policy")).toBeUndefined();
  });

  it("leaves the API, Next's static files, the image optimizer and the favicon to next.config.mjs's static headers", async () => {
    for (const target of ["/api/health", "/api/trpc/threads.list?batch=1", "/_next/static/chunks/a.js", "/_next/image?url=%2Fa.png", "/favicon.ico"]) {
      const { headers } = await rawGet(target, ["x-nonce: attacker"]);
      expect(headers.get("content-security-policy"), target).toBeUndefined();
      expect(JSON.parse(headers.get("x-seen")![0]!), target).toEqual({ raw: [] });
    }
  });

  it("keeps the headers on a 404, a redirect, a streamed page and a failed render", async () => {
    for (const [target, status] of [["/missing", 404], ["/moved", 307], ["/streamed", 200], ["/failing", 500]] as const) {
      const { status: got, headers } = await rawGet(target);
      expect(got, target).toBe(status);
      expect(nonceOf(headers.get("content-security-policy")?.[0]), target).toBeTruthy();
    }
  });

  it("sends HSTS only when a trusted proxy says the browser came over HTTPS, never for a forged header", async () => {
    expect((await rawGet("/threads", ["X-Forwarded-Proto: https"])).headers.get("strict-transport-security")).toBeUndefined();
    policy = BEHIND_PROXY;
    try {
      expect((await rawGet("/threads", ["X-Forwarded-Proto: https"])).headers.get("strict-transport-security")).toEqual([STRICT_TRANSPORT_SECURITY]);
      expect((await rawGet("/threads", ["X-Forwarded-Proto: https, http"])).headers.get("strict-transport-security")).toBeUndefined();
      expect((await rawGet("/api/health", ["X-Forwarded-Proto: https"])).headers.get("strict-transport-security")).toBeUndefined();
    } finally {
      policy = POLICY;
    }
  });
});
