import { cookies, headers } from "next/headers";
import { cache } from "react";
import { LOCALE_COOKIE, pickLocale, type Locale } from "@/lib/shared/i18n/locale";

/**
 * The request's locale for server components: the switcher's cookie, else Accept-Language. Once per request (React
 * cache): the root layout, the signed-in layout and the page each ask.
 */
export const requestLocale = cache(async (): Promise<Locale> => {
  const [cookieStore, headerList] = await Promise.all([cookies(), headers()]);
  return pickLocale({ cookie: cookieStore.get(LOCALE_COOKIE)?.value, acceptLanguage: headerList.get("accept-language") });
});
