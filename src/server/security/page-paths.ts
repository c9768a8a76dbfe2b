/**
 * Which requests are pages, and so get a nonce and the page CSP (src/server/http/page-security.ts): everything but
 * the API (its answers get next.config.mjs's static CSP, which loads nothing), Next's hashed static files and image
 * optimizer, and the favicon. Hand-written because Threadbook's HTTP entry decides it before Next routes anything.
 */

/** Path prefixes that are never pages (after the leading slash). */
const NOT_PAGES = ["api/", "_next/static/", "_next/image", "favicon.ico"];

const isPagePathname = (pathname: string) => !NOT_PAGES.some((prefix) => pathname.startsWith(prefix, 1));

/**
 * A request target (`/path?query`, or the absolute form `http://host/path`) is a page unless every reading of its path
 * says otherwise: as sent and with dot segments resolved as a browser would (`/api/../threads` is `/threads`). When
 * the readings disagree, it gets the page headers: a CSP too many is harmless, a page without one is not.
 */
export function isPageRequest(target: string): boolean {
  const query = target.indexOf("?");
  const raw = query === -1 ? target : target.slice(0, query);
  if (!raw.startsWith("/") || isPagePathname(raw)) return true;
  // Only a path the fast check took for a non-page is parsed again, the way a URL parser resolves it.
  return isPagePathname(new URL(raw, "http://threadbook.invalid").pathname);
}
