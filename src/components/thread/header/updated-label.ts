import { formatShortDateTime } from "@/lib/shared/date-groups";
import type { Dictionary } from "@/lib/shared/i18n/en";

/** The thread header's "Updated …": written by the server with its clock, then by the browser with the reader's. */
export function updatedLabel(t: Dictionary, updatedAt: string | null | undefined, now: Date, locale: string): string {
  return t.updated(formatShortDateTime(updatedAt, now, locale));
}
