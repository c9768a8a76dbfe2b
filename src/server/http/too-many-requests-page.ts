/**
 * The 429 a person's browser lands on when a page or a download it navigated to is over its budget (the share page,
 * "Export all"): a real status with Retry-After, so nothing caches it as the page, and a few lines of static HTML in
 * the viewer's language instead of JSON, since a person, not a script, is reading it.
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

export function tooManyRequestsPage(
  request: { headers: Headers; cookie?: string },
  message: (t: Dictionary, retryAfterSeconds: number) => string,
  retryAfterSeconds: number,
): Response {
  const locale = localeOf(request.headers, request.cookie);
  const text = message(locale === "zh-CN" ? zhCN : en, retryAfterSeconds);
  const body = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Threadbook</title></head><body><p role="alert">${escapeHtml(text)}</p></body></html>`;
  return new Response(body, {
    status: 429,
    headers: { "content-type": "text/html; charset=utf-8", "retry-after": String(retryAfterSeconds), "cache-control": "no-store" },
  });
}
