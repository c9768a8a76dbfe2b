/**
 * Next 16's proxy (the former middleware): every page gets a fresh nonce and its Content-Security-Policy, and
 * Strict-Transport-Security when it is served over HTTPS (src/server/security). Next reads the nonce from the CSP
 * request header and puts it on its own scripts; the root layout reads NONCE_HEADER for the theme script. Share
 * pages are counted against their client address's budget here, where a 429 can still be answered.
 */
import { NextResponse, type NextRequest } from "next/server";
import { LOCALE_COOKIE } from "@/lib/shared/i18n/locale";
import { pagePolicy } from "@/server/security/page-policy";
import { getServices } from "@/server/services";
import { isSharePage, sharePageRateGate } from "@/server/share/share-page-gate";
import { newNonce, NONCE_HEADER, pageSecurityHeaders } from "@/server/security/security-headers";

export async function proxy(request: NextRequest) {
  const nonce = newNonce();
  const headers = pageSecurityHeaders({ url: request.url, forwardedProto: request.headers.get("x-forwarded-proto") }, await pagePolicy(), nonce);
  const requestHeaders = new Headers(request.headers);
  // Set, never appended: a client's own x-nonce or CSP request header is replaced.
  requestHeaders.set(NONCE_HEADER, nonce);
  requestHeaders.set("content-security-policy", headers["content-security-policy"]!);
  const limited = isSharePage(request.nextUrl.pathname) ? await sharePageRateGate(getServices(), request.headers, request.cookies.get(LOCALE_COOKIE)?.value) : null;
  const response = limited ?? NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Pages only. Not /api: when the proxy runs, Next buffers the request body to clone it, which would defeat the
  // upload and tRPC routes' streaming limits; their responses are JSON or files and get the static headers of
  // next.config.mjs (a CSP that loads nothing, among them). Not Next's hashed static files.
  matcher: ["/((?!api/|_next/static/|_next/image|favicon.ico).*)"],
};
