"use client";

import { useCallback } from "react";
import { isUrlExpired } from "@/lib/client/transfers/download";
import { api } from "@/trpc/react";
import { useReadOnlyThread } from "@/components/thread/read-only-thread";
import type { ThreadElement } from "@/trpc/use-thread-cache";

/**
 * Signed links expire while a page stays open (Chainlit broke there; LibreChat #13751). Before following one, check
 * its expiry (5 s margin) and, if needed, ask elements.getUrl for a fresh link, which is written back into the
 * thread cache so every view of the element (thumbnail, dialog, chip) uses it. No reload.
 */
export function useElementUrl(threadId: string, element: Pick<ThreadElement, "id" | "url" | "urlExpiresAt">) {
  const utils = api.useUtils();
  const readOnly = useReadOnlyThread();
  const resign = useCallback(async (): Promise<string> => {
    // A shared thread: the share authorises the link, and there is no owner's thread cache to write it into.
    if (readOnly) return (await readOnly.resign(element.id)).url;
    const fresh = await utils.elements.getUrl.fetch({ threadId, elementId: element.id }, { staleTime: 0, gcTime: 0 });
    utils.threads.get.setData({ threadId }, (data) =>
      data ? { ...data, elements: data.elements.map((e) => (e.id === element.id ? { ...e, url: fresh.url, urlExpiresAt: fresh.expiresAt } : e)) } : data,
    );
    return fresh.url;
  }, [utils, threadId, element.id, readOnly]);

  /** A link good for at least 5 more seconds. */
  const freshUrl = useCallback(async (): Promise<string> => {
    if (element.url && !isUrlExpired(element.urlExpiresAt)) return element.url;
    return resign();
  }, [element.url, element.urlExpiresAt, resign]);

  return { url: element.url ?? null, freshUrl, resign };
}
