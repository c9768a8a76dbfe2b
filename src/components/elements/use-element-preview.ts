"use client";

import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import { isUrlExpired } from "@/lib/client/transfers/download";
import { retryLater } from "@/lib/client/retry-later";
import { api } from "@/trpc/react";
import { useReadOnlyThread } from "@/components/thread/read-only-thread";
import type { ThreadElement } from "@/trpc/use-thread-cache";

type Preview = { url: string; expiresAt: string } | null;

/**
 * How long after a null answer the thumbnail asks again. Null is "none now" as often as "never": the process's
 * making queue was full, or a share's making budget for the minute is spent (docs/long-threads.md, "Image previews"),
 * and a file that can never have one is recorded as refused by then, so a later ask answers it without reading the
 * file. Growing, about 20 s in all, then the original; the placeholder stays meanwhile, since showing the original
 * would start the very download the preview is there to spare.
 */
export const PREVIEW_ASK_AGAIN_MS = [2_000, 5_000, 12_000] as const;

/**
 * What an image's thumbnail shows (docs/long-threads.md, "Image previews"): its small preview, never the whole file
 * when one can be had. The thread's read signs a preview already made; for an image without one (Chainlit stored it)
 * the thumbnail asks for it once it comes near the screen (elements.preview or share.elementPreview makes it), and
 * shows a placeholder meanwhile rather than start the original's download. A null answer is asked again a few times
 * (PREVIEW_ASK_AGAIN_MS); a preview still not had then, a failed ask, or a preview that does not load falls back to the
 * original.
 */
export function usePreviewSrc(threadId: string, element: ThreadElement, originalUrl: string | null, target: RefObject<HTMLElement | null>) {
  const utils = api.useUtils();
  const readOnly = useReadOnlyThread();
  const signed = element.previewUrl && !isUrlExpired(element.previewUrlExpiresAt) ? element.previewUrl : null;
  const [asked, setAsked] = useState<{ url: string | null } | null>(null);
  const [fallback, setFallback] = useState(element.previewRefused);
  const asking = useRef(false);
  // Ends the tries when the thumbnail goes (the thread left, a window moved).
  const gone = useRef<AbortController | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    gone.current = controller;
    return () => controller.abort();
  }, []);

  const ask = useCallback(async (): Promise<Preview> => {
    if (readOnly) return readOnly.preview(element.id);
    const fresh = await utils.client.elements.preview.mutate({ threadId, elementId: element.id });
    // Into the thread cache, so the thumbnail drawn again (a window moved) does not ask again.
    if (fresh) utils.threads.get.setData({ threadId }, (data) => data ? { ...data, elements: data.elements.map((e) => (e.id === element.id ? { ...e, previewUrl: fresh.url, previewUrlExpiresAt: fresh.expiresAt } : e)) } : data);
    return fresh;
  }, [readOnly, utils, threadId, element.id]);

  const askOnce = useCallback(() => {
    if (asking.current) return;
    asking.current = true;
    const signal = gone.current?.signal;
    retryLater(ask, PREVIEW_ASK_AGAIN_MS, { signal }).then(
      (preview) => {
        if (signal?.aborted) return;
        if (preview) setAsked({ url: preview.url });
        else setFallback(true);
      },
      () => setFallback(true),
    );
  }, [ask]);

  const needsAsking = !signed && !fallback && asked === null;
  useEffect(() => {
    const node = target.current;
    if (!needsAsking || !node) return;
    if (typeof IntersectionObserver === "undefined") return askOnce();
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        observer.disconnect();
        askOnce();
      }
    }, { rootMargin: "400px" });
    observer.observe(node);
    return () => observer.disconnect();
  }, [needsAsking, target, askOnce]);

  const src = fallback ? originalUrl : asked ? asked.url : signed;
  /** The preview did not load (its link lapsed, storage lost it): ask again (the placeholder meanwhile), then show the original. */
  const onPreviewError = useCallback(() => {
    if (asked !== null || !signed) return setFallback(true);
    setAsked({ url: null });
    askOnce();
  }, [asked, signed, askOnce]);
  return { src, isPreview: !fallback && src !== null, onPreviewError };
}
