/**
 * The page security headers, set by Threadbook's HTTP entry (server.ts) before Next sees a request: for a page (any
 * path but the API's and Next's static files, security/page-paths.ts), a fresh nonce and the policy on the REQUEST,
 * where Next reads the nonce for its own scripts (from the CSP header) and the root layout reads NONCE_HEADER, and
 * the CSP (+ HSTS over HTTPS) on the RESPONSE, set before Next writes anything so that every answer to a page path
 * carries them: the page, a 404 or 500 page, a redirect, a streamed page, the share page's 429. Doing this here
 * rather than in Next's proxy spares each page Next's middleware adapter (most of what the proxy cost per page).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { isPageRequest } from "../security/page-paths";
import type { PagePolicy } from "../security/page-policy";
import { newNonce, NONCE_HEADER, pageSecurityHeaders } from "../security/security-headers";
import { replaceRequestHeaders } from "./request-headers";

const CSP = "content-security-policy";

/**
 * Request headers only the server may write. A client's copy is dropped from every request, page or not: Next would
 * otherwise take a nonce from it (from the report-only one too, when no CSP header is there).
 */
const NEVER_FROM_CLIENTS: Readonly<Record<string, undefined>> = { [NONCE_HEADER]: undefined, [CSP]: undefined, "content-security-policy-report-only": undefined };

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** `handle` (Next's request handler) behind securePageRequest, with the process's page policy (read once, cached). */
export function withPageSecurity(handle: Handler, policy: () => Promise<PagePolicy>): Handler {
  return async (req, res) => {
    securePageRequest(req, res, await policy());
    await handle(req, res);
  };
}

/** Stamps a page request with its nonce and policy and its response with the page's security headers. */
export function securePageRequest(req: IncomingMessage, res: ServerResponse, policy: PagePolicy): void {
  if (!isPageRequest(req.url ?? "/")) {
    replaceRequestHeaders(req, NEVER_FROM_CLIENTS);
    return;
  }
  const nonce = newNonce();
  const forwardedProto = req.headers["x-forwarded-proto"];
  const request = { tls: (req.socket as Partial<TLSSocket>).encrypted === true, forwardedProto: typeof forwardedProto === "string" ? forwardedProto : null };
  const headers = pageSecurityHeaders(request, policy, nonce);
  replaceRequestHeaders(req, { ...NEVER_FROM_CLIENTS, [NONCE_HEADER]: nonce, [CSP]: headers[CSP] });
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}
