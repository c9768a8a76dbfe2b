"use client";

import { useHydrated } from "@/lib/client/hooks";
import { useI18n } from "@/lib/client/i18n-provider";
import type { ThreadRow } from "@/trpc/use-thread-cache";
import { PinIcon } from "@/components/ui/icons";
import { usePins } from "./use-pins";

/**
 * "Pin" / "Unpin" in a thread's header: the same toggle as the sidebar row's menu. The pins are read by the browser,
 * so the server and the hydration pass draw the button as it waits for them, without the pins' query and mutations.
 */
export function PinButton({ thread }: { thread: ThreadRow }) {
  return useHydrated() ? <PinToggle thread={thread} /> : <PinButtonView loaded={false} pinned={false} />;
}

function PinToggle({ thread }: { thread: ThreadRow }) {
  const pins = usePins();
  return <PinButtonView loaded={pins.loaded} pinned={pins.ids.has(thread.id)} onToggle={() => pins.toggle(thread)} />;
}

function PinButtonView({ loaded, pinned, onToggle }: { loaded: boolean; pinned: boolean; onToggle?: () => void }) {
  const { t } = useI18n();
  return (
    <button
      type="button"
      className="btn btn-sm"
      // Until the pins are known the button cannot say which it is: it waits rather than guessing.
      aria-disabled={loaded ? undefined : true}
      onClick={() => {
        if (loaded) onToggle?.();
      }}
      data-testid="pin-button"
    >
      <PinIcon size={15} />
      <span className="btn-label">{pinned ? t.unpin : t.pin}</span>
    </button>
  );
}
