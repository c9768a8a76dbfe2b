import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, isHttps, newNonce, pageSecurityHeaders, STRICT_TRANSPORT_SECURITY } from "./security-headers";

/** `directive -> sources` of a policy string. */
const parse = (policy: string) => new Map(policy.split("; ").map((d) => [d.split(" ")[0]!, d.split(" ").slice(1)]));

const options = { nonce: "bm9uY2U=", development: false, storageOrigins: ["http://127.0.0.1:9000"], signInOrigins: ["https://sso.example.com"] };

describe("contentSecurityPolicy", () => {
  it("runs only the page's own nonce'd scripts and loads images, media and fetches from the app and its storage", () => {
    const csp = parse(contentSecurityPolicy(options));
    expect(csp.get("script-src")).toEqual(["'self'", "'nonce-bm9uY2U='", "'strict-dynamic'"]);
    expect(csp.get("img-src")).toEqual(["'self'", "data:", "blob:", "http://127.0.0.1:9000"]);
    expect(csp.get("connect-src")).toEqual(["'self'", "http://127.0.0.1:9000"]);
    expect(csp.get("media-src")).toEqual(["'self'", "blob:", "http://127.0.0.1:9000"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("form-action")).toEqual(["'self'", "https://sso.example.com"]);
    expect(csp.get("default-src")).toEqual(["'self'"]);
  });

  it("never allows inline or eval'd scripts in production, nor any host beyond storage", () => {
    const policy = contentSecurityPolicy(options);
    expect(policy).not.toContain("unsafe-eval");
    expect(parse(policy).get("script-src")).not.toContain("'unsafe-inline'");
    expect(policy).not.toMatch(/(^|\s)(\*|https:|http:)(;|\s|$)/);
  });

  it("allows eval (React's dev build) only in development", () => {
    expect(parse(contentSecurityPolicy({ ...options, development: true })).get("script-src")).toContain("'unsafe-eval'");
  });
});

describe("isHttps", () => {
  it("without a trusted proxy, believes only the connection, never a forwarded header", () => {
    expect(isHttps({ tls: true, forwardedProto: null, trustedProxyHops: 0 })).toBe(true);
    expect(isHttps({ tls: false, forwardedProto: "https", trustedProxyHops: 0 })).toBe(false);
    // A forwarded header beside a TLS socket with no proxy trusted: nobody vouches for it.
    expect(isHttps({ tls: true, forwardedProto: "https", trustedProxyHops: 0 })).toBe(false);
  });

  it("behind N trusted proxies, reads the value the client-facing one appended", () => {
    expect(isHttps({ tls: false, forwardedProto: "https", trustedProxyHops: 1 })).toBe(true);
    expect(isHttps({ tls: false, forwardedProto: "http", trustedProxyHops: 1 })).toBe(false);
    // A client's own "https" in front of what the edge proxy saw (plain http) is not believed.
    expect(isHttps({ tls: false, forwardedProto: "https, http", trustedProxyHops: 1 })).toBe(false);
    expect(isHttps({ tls: false, forwardedProto: "https, http", trustedProxyHops: 2 })).toBe(true);
    expect(isHttps({ tls: false, forwardedProto: null, trustedProxyHops: 1 })).toBe(false);
  });
});

describe("pageSecurityHeaders", () => {
  const policy = { development: false, storageOrigins: [], signInOrigins: [], trustedProxyHops: 0 };

  it("adds Strict-Transport-Security only when the page is served over HTTPS", () => {
    expect(pageSecurityHeaders({ tls: true, forwardedProto: null }, policy, "n")["strict-transport-security"]).toBe(STRICT_TRANSPORT_SECURITY);
    expect(pageSecurityHeaders({ tls: true, forwardedProto: "https" }, policy, "n")).not.toHaveProperty("strict-transport-security");
    const behindProxy = { ...policy, trustedProxyHops: 1 };
    expect(pageSecurityHeaders({ tls: false, forwardedProto: "https" }, behindProxy, "n")).toHaveProperty("strict-transport-security");
  });

  it("always carries the CSP with the request's nonce", () => {
    expect(pageSecurityHeaders({ tls: false, forwardedProto: null }, policy, "abc")["content-security-policy"]).toContain("'nonce-abc'");
  });

  it("builds the policy once per policy object, yet every page's CSP is the full policy with its own nonce only", () => {
    const request = { tls: false, forwardedProto: null };
    const first = pageSecurityHeaders(request, { ...policy, ...options }, "Zmlyc3Q=")["content-security-policy"]!;
    const kept = { ...policy, ...options };
    const [a, b] = [pageSecurityHeaders(request, kept, "YQ==")["content-security-policy"]!, pageSecurityHeaders(request, kept, "Yg==")["content-security-policy"]!];
    expect(a).toBe(contentSecurityPolicy({ ...options, nonce: "YQ==" }));
    expect(b).toBe(contentSecurityPolicy({ ...options, nonce: "Yg==" }));
    expect(first).toBe(contentSecurityPolicy({ ...options, nonce: "Zmlyc3Q=" }));
    expect(b).not.toContain("YQ==");
  });
});

describe("newNonce", () => {
  it("is 128 random bits, different every time", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});
