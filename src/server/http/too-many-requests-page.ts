/**
 * The refusals a person's browser lands on when it navigated to a page or a download: over its budget (429 with
 * Retry-After: the share page, "Export all"), or sent there by another site (403: "Export all"). A real status, so
 * nothing caches it as the page, and a few lines of static HTML in the viewer's language instead of JSON, since a
 * person, not a script, is reading it.
 */
import { en, type Dictionary } from "@/lib/shared/i18n/en";
import { LOCALE_COOKIE, pickLocale } from "@/lib/shared/i18n/locale";
import { zhCN } from "@/lib/shared/i18n/zh-CN";

/** The request's locale: the switcher's cookie (given, or read from the Cookie header), else Accept-Language. */
function localeOf(headers: Headers, cookie: string | undefined) {
  const fromHeader = headers.get("cookie")?.split(";").map((part) => part.trim().split("=")).find(([name]) => name === LOCALE_COOKIE)?.[1];
  return pickLocale({ cookie: cookie ?? fromHeader, acceptLanguage: headers.get("accept-language") });
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

type PageRequest = { headers: Headers; cookie?: string };

function noticePage(request: PageRequest, status: number, message: (t: Dictionary) => string, headers: Record<string, string> = {}): Response {
  const locale = localeOf(request.headers, request.cookie);
  const text = message(locale === "zh-CN" ? zhCN : en);
  const body = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Threadbook</title></head><body><p role="alert">${escapeHtml(text)}</p></body></html>`;
  return new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...headers } });
}

export function tooManyRequestsPage(request: PageRequest, message: (t: Dictionary, retryAfterSeconds: number) => string, retryAfterSeconds: number): Response {
  return noticePage(request, 429, (t) => message(t, retryAfterSeconds), { "retry-after": String(retryAfterSeconds) });
}

/** 403 for a navigation another site started (a link or script on its page), naming where to start it instead. */
export function crossSitePage(request: PageRequest, message: (t: Dictionary) => string): Response {
  return noticePage(request, 403, message);
}
