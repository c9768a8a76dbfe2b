/**
 * Next 16's proxy (the former middleware): every page gets a fresh nonce and its Content-Security-Policy, and
 * Strict-Transport-Security when it is served over HTTPS (src/server/security). Next reads the nonce from the CSP
 * request header and puts it on its own scripts; the root layout reads `x-nonce` for the theme script.
 */
import { NextResponse, type NextRequest } from "next/server";
import { pagePolicy } from "@/server/security/page-policy";
import { contentSecurityPolicy, isHttps, newNonce, NONCE_HEADER, STRICT_TRANSPORT_SECURITY } from "@/server/security/security-headers";

export async function proxy(request: NextRequest) {
  const policy = await pagePolicy();
  const nonce = newNonce();
  const csp = contentSecurityPolicy({ nonce, ...policy });
  const requestHeaders = new Headers(request.headers);
  // Set, never appended: a client's own x-nonce or CSP header is replaced.
  requestHeaders.set(NONCE_HEADER, nonce);
  requestHeaders.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", csp);
  if (isHttps({ url: request.url, forwardedProto: request.headers.get("x-forwarded-proto"), trustedProxyHops: policy.trustedProxyHops })) {
    response.headers.set("strict-transport-security", STRICT_TRANSPORT_SECURITY);
  }
  return response;
}

export const config = {
  // Pages only. Not /api: when the proxy runs, Next buffers the request body to clone it, which would defeat the
  // upload and tRPC routes' streaming limits; their responses are JSON or files and get the static headers of
  // next.config.mjs. Not Next's hashed static files.
  matcher: ["/((?!api/|_next/static/|_next/image|favicon.ico).*)"],
};
