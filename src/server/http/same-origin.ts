/**
 * Whether a state-changing request comes from the app's own pages, against cross-site request forgery: the session
 * cookie rides along on a form or fetch from any site, so the cookie alone proves nothing.
 *
 * - `Sec-Fetch-Site` (every current browser sends it) must be `same-origin`; `same-site` is refused too, since a
 *   sibling subdomain may belong to someone else.
 * - Without it, `Origin` (browsers send it on every cross-origin POST) must name this host: the Host header, or the
 *   first X-Forwarded-Host a proxy set (a page cannot add that header without a CORS preflight, which is never granted).
 * - With neither, the request comes from no browser (curl, a script): it can only carry a cookie its sender already
 *   holds, so forgery is not possible and it is let through.
 */
export function isSameOriginRequest(req: Request): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site !== null) return site === "same-origin";
  const origin = req.headers.get("origin");
  if (origin === null) return true;
  const host = req.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || req.headers.get("host");
  try {
    return host !== null && new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // "null" (sandboxed frames, file: pages) and anything unparsable
  }
}

export const CROSS_ORIGIN_MESSAGE = "Uploads are accepted only from Threadbook's own pages.";
export const CROSS_ORIGIN_API_MESSAGE = "Changes are accepted only from Threadbook's own pages.";

/**
 * Whether a navigation or GET was started by another site's page (a link, a form, `location = …`): `Sec-Fetch-Site`
 * is `cross-site` or `same-site`. The session cookie (SameSite=Lax) rides along on a top-level navigation from any
 * site, so a GET that makes the server work for the user ("Export all") must not start from one. `none` (typed,
 * bookmarked) and `same-origin` pass; without the header (no browser, or a very old one) nothing can be told.
 */
export function isCrossSiteNavigation(req: Request): boolean {
  const site = req.headers.get("sec-fetch-site");
  return site === "cross-site" || site === "same-site";
}

/**
 * Whether a browser sent this request for something other than a top-level navigation: an `<img>`, `<audio>`,
 * `<script>` or `fetch()` says so in `Sec-Fetch-Mode` (not `navigate`) or `Sec-Fetch-Dest` (not `document`). Such a
 * request from the app's own page is same-origin and carries the session cookie, so a GET that makes the server work
 * for the user ("Export all") must refuse it too: an image in a thread or a share page (`![](/api/export)`) would
 * otherwise start it for whoever reads that page. Without the headers (no browser) nothing can be told.
 */
export function isSubresourceRequest(req: Request): boolean {
  const mode = req.headers.get("sec-fetch-mode");
  const dest = req.headers.get("sec-fetch-dest");
  return (mode !== null && mode !== "navigate") || (dest !== null && dest !== "document");
}
