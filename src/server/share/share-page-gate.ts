/**
 * The share page's rate limit, applied in the proxy rather than in the page: a server component cannot answer with
 * a status of its own, and a limited viewer (or a script walking ids) must get a real 429 with Retry-After, not a
 * 200 that caches and scrapes like a page. The body is a few lines of static HTML in the viewer's language, under
 * the page's own security headers (the proxy adds them).
 */
import { en } from "@/lib/shared/i18n/en";
import { pickLocale } from "@/lib/shared/i18n/locale";
import { zhCN } from "@/lib/shared/i18n/zh-CN";
import { clientAddressOf } from "../http/client-address";
import type { Services } from "../services";
import { withinShareRate } from "./share-rate-limit";

const RETRY_AFTER_SECONDS = 60;

/** `/share/{anything}`: the pages the limit covers (their API calls are limited in their procedures). */
export function isSharePage(pathname: string): boolean {
  return pathname.startsWith("/share/");
}

/** A 429 when the client address is over its budget (the hit counted), else null and the page renders. */
export async function sharePageRateGate(services: Pick<Services, "data" | "env">, headers: Headers, cookie: string | undefined): Promise<Response | null> {
  if (await withinShareRate(services, clientAddressOf(headers))) return null;
  const locale = pickLocale({ cookie, acceptLanguage: headers.get("accept-language") });
  const message = (locale === "zh-CN" ? zhCN : en).shareRateLimited;
  const body = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Threadbook</title></head><body><p role="alert">${escapeHtml(message)}</p></body></html>`;
  return new Response(body, {
    status: 429,
    headers: { "content-type": "text/html; charset=utf-8", "retry-after": String(RETRY_AFTER_SECONDS), "cache-control": "no-store" },
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
