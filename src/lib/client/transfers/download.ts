/** Browser downloads. Client-only helpers (they touch `document`). */

/** Saves text produced in the page (an export) under `fileName`. */
export function downloadText(content: string, mime: string, fileName: string) {
  const url = URL.createObjectURL(new Blob([content], { type: mime }));
  try {
    clickLink(url, fileName);
  } finally {
    // The click has started the download synchronously; a later revoke keeps slow browsers safe.
    setTimeout(() => URL.revokeObjectURL(url), 30_000);
  }
}

/**
 * Follows a link as a download. For a signed storage URL (cross-origin) the browser ignores `download` and uses the
 * URL's own Content-Disposition (attachment + original name), which the storage clients always set.
 */
export function clickLink(url: string, fileName?: string) {
  const a = document.createElement("a");
  a.href = url;
  if (fileName !== undefined) a.download = fileName;
  a.rel = "noopener";
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** A signed link is treated as expired 5 s early, so it cannot lapse between the check and the request. */
export const URL_EXPIRY_MARGIN_MS = 5_000;

export function isUrlExpired(expiresAt: string | null | undefined, now = Date.now()): boolean {
  if (!expiresAt) return true;
  const t = Date.parse(expiresAt);
  return !Number.isFinite(t) || now >= t - URL_EXPIRY_MARGIN_MS;
}
