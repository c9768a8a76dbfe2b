"use client";

import { useI18n } from "@/lib/client/i18n-provider";
import { isLocale, LOCALES, type Locale } from "@/lib/shared/i18n/locale";
import { GlobeIcon } from "@/components/ui/icons";

const NAMES: Record<Locale, string> = { en: "English", "zh-CN": "简体中文" };

/** Each language named in itself; the choice goes into the `tb-locale` cookie. */
export function LocaleSwitcher() {
  const { t, locale, setLocale } = useI18n();
  return (
    <label className="locale-switcher" title={t.language}>
      <GlobeIcon size={15} />
      <span className="sr-only">{t.language}</span>
      <select
        value={locale}
        onChange={(event) => {
          if (isLocale(event.target.value)) setLocale(event.target.value);
        }}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
