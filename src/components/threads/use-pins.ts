"use client";

import { useMemo } from "react";
import { useI18n } from "@/lib/client/i18n-provider";
import { refusalMessage } from "@/lib/client/error-messages/refusal-message";
import { api } from "@/trpc/react";
import type { ThreadRow } from "@/trpc/use-thread-cache";
import { useToast } from "@/components/ui/toast";

/**
 * The caller's pinned threads (threads.pinned: its own request beside the list's, docs/data-layer.md, "Pinned
 * threads") and the toggle the sidebar's row menus and the thread header share. The toggle shows at once and is
 * undone, with a toast in the reader's language, if the server refuses (50 pins at most) or fails.
 */
export function usePins() {
  const { t } = useI18n();
  const toast = useToast();
  const utils = api.useUtils();
  const query = api.threads.pinned.useQuery(undefined, { staleTime: 30_000 });
  const pin = api.threads.pin.useMutation();
  const unpin = api.threads.unpin.useMutation();
  const rows = useMemo(() => query.data ?? [], [query.data]);
  const ids = useMemo(() => new Set(rows.map((row) => row.id)), [rows]);

  const toggle = (thread: ThreadRow) => {
    const pinned = ids.has(thread.id);
    const before = utils.threads.pinned.getData();
    utils.threads.pinned.setData(undefined, (list = []) => {
      const rest = list.filter((row) => row.id !== thread.id);
      return pinned ? rest : [{ ...thread, pinnedAt: new Date().toISOString() }, ...rest];
    });
    (pinned ? unpin : pin).mutate(
      { threadId: thread.id },
      {
        onError: (error) => {
          utils.threads.pinned.setData(undefined, before);
          toast(refusalMessage(t, error.data?.refusal) ?? t.pinError);
        },
        onSettled: () => void utils.threads.pinned.invalidate(),
      },
    );
  };

  return { rows, ids, loaded: query.isSuccess, toggle };
}
