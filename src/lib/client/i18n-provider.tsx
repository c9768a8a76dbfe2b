"use client";

import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { DICTIONARIES } from "@/lib/shared/i18n/dictionaries";
import { en, type Dictionary } from "@/lib/shared/i18n/en";
import { LOCALE_COOKIE, type Locale } from "@/lib/shared/i18n/locale";

interface I18nValue {
  locale: Locale;
  t: Dictionary;
  setLocale: (locale: Locale) => void;
}

const I18nContext = createContext<I18nValue>({ locale: "en", t: en, setLocale: () => {} });

/** The server picks the first locale (cookie, else Accept-Language); the switcher changes it here without a reload. */
export function I18nProvider({ initialLocale, children }: { initialLocale: Locale; children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const setLocale = useCallback((next: Locale) => {
    // A year, site-wide; the server reads it on the next request (<html lang>, first dictionary).
    document.cookie = `${LOCALE_COOKIE}=${encodeURIComponent(next)}; path=/; max-age=31536000; samesite=lax`;
    document.documentElement.lang = next;
    setLocaleState(next);
  }, []);
  const value = useMemo(() => ({ locale, t: DICTIONARIES[locale], setLocale }), [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  return useContext(I18nContext);
}
