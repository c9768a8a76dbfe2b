"use client";

import { useI18n } from "@/lib/client/i18n-provider";
import { ThumbDownIcon, ThumbUpIcon } from "@/components/ui/icons";

export type FeedbackFilterValue = "all" | 0 | 1;

/** All / 👍 / 👎 as toggle chips (aria-pressed). Chainlit has the filter in its types but no control (docs/chainlit.md, "Feedback filter"). */
export function FeedbackFilter({ value, onChange }: { value: FeedbackFilterValue; onChange: (value: FeedbackFilterValue) => void }) {
  const { t } = useI18n();
  const chips: { value: FeedbackFilterValue; label: string; icon?: React.ReactNode }[] = [
    { value: "all", label: t.filterAll },
    { value: 1, label: t.filterUp, icon: <ThumbUpIcon size={14} /> },
    { value: 0, label: t.filterDown, icon: <ThumbDownIcon size={14} /> },
  ];
  return (
    <div className="chips" role="group" aria-label={t.filterLabel}>
      {chips.map((chip) => (
        <button
          key={String(chip.value)}
          type="button"
          className="chip"
          aria-pressed={value === chip.value}
          aria-label={chip.icon ? chip.label : undefined}
          title={chip.icon ? chip.label : undefined}
          onClick={() => onChange(chip.value)}
        >
          {chip.icon ?? chip.label}
        </button>
      ))}
    </div>
  );
}
