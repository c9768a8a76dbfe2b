"use client";

import { useI18n } from "@/lib/client/i18n-provider";
import { useTheme, type ThemeChoice } from "@/lib/client/theme";
import { MonitorIcon, MoonIcon, SunIcon } from "@/components/ui/icons";

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };

/** Cycles System → Light → Dark; the choice is stored in localStorage and applied before paint by the head script. */
export function ThemeToggle() {
  const { t } = useI18n();
  const [choice, setChoice] = useTheme();
  const Icon = choice === "light" ? SunIcon : choice === "dark" ? MoonIcon : MonitorIcon;
  const label = t.theme.button(t.theme[choice]);
  return (
    <button type="button" className="icon-btn" aria-label={label} title={label} data-theme-choice={choice} onClick={() => setChoice(NEXT[choice])}>
      <Icon size={17} />
    </button>
  );
}
