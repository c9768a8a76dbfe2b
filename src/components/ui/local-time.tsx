"use client";

import { formatFullDate, machineDateTime } from "@/lib/shared/date-groups";
import type { Dictionary } from "@/lib/shared/i18n/en";
import { useNow } from "@/lib/client/hooks";
import { useI18n } from "@/lib/client/i18n-provider";

/** The dictionary's sentences around one date ("As it was on {date}"), named so a server page can pick one. */
export type DateSentence = { [K in keyof Dictionary]: Dictionary[K] extends (date: string) => string ? K : never }[keyof Dictionary];

/**
 * A stored time as the full date in the READER's zone, inside the dictionary's sentence `sentence` when given. The
 * server knows no reader's zone, so it writes the time in UTC and says so; the browser writes its own once its clock
 * is known (useNow: 0 on the server and while hydrating, as the thread page's times: message.tsx, thread-view.tsx),
 * so hydration matches and no script runs inline (the CSP). A reader in Tokyo printing from a server in UTC gets
 * Tokyo's day and hour (docs/import-export.md, "Print or save as PDF").
 */
export function LocalTime({ value, sentence }: { value: string; sentence?: DateSentence }) {
  const { t, locale } = useI18n();
  const local = useNow().getTime() !== 0;
  const text = formatFullDate(value, locale, local ? undefined : "UTC");
  return (
    <time dateTime={machineDateTime(value)} data-local={local ? "" : undefined}>
      {sentence ? t[sentence](text) : text}
    </time>
  );
}
