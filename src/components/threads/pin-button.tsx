"use client";

import { useI18n } from "@/lib/client/i18n-provider";
import type { ThreadRow } from "@/trpc/use-thread-cache";
import { PinIcon } from "@/components/ui/icons";
import { usePins } from "./use-pins";

/** "Pin" / "Unpin" in a thread's header: the same toggle as the sidebar row's menu. */
export function PinButton({ thread }: { thread: ThreadRow }) {
  const { t } = useI18n();
  const pins = usePins();
  const pinned = pins.ids.has(thread.id);
  return (
    <button
      type="button"
      className="btn btn-sm"
      // Until the pins are known the button cannot say which it is: it waits rather than guessing.
      aria-disabled={pins.loaded ? undefined : true}
      onClick={() => {
        if (pins.loaded) pins.toggle(thread);
      }}
      data-testid="pin-button"
    >
      <PinIcon size={15} />
      <span className="btn-label">{pinned ? t.unpin : t.pin}</span>
    </button>
  );
}
