"use client";

import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import { isUrlExpired } from "@/lib/client/download";
import { api } from "@/trpc/react";
import { useReadOnlyThread } from "@/components/thread/read-only-thread";
import type { ThreadElement } from "@/trpc/use-thread-cache";

type Preview = { url: string; expiresAt: string } | null;

/**
 * What an image's thumbnail shows (docs/long-threads.md, "Image previews"): its small preview, never the whole file
 * when one can be had. The thread's read signs a preview already made; for an image without one (Chainlit stored it)
 * the thumbnail asks for it once it comes near the screen (elements.preview or share.elementPreview makes it), and
 * shows a placeholder meanwhile rather than start the original's download. A preview that cannot be made, a failed
 * ask, or a preview that does not load falls back to the original: the page never waits on a preview.
 */
export function usePreviewSrc(threadId: string, element: ThreadElement, originalUrl: string | null, target: RefObject<HTMLElement | null>) {
  const utils = api.useUtils();
  const readOnly = useReadOnlyThread();
  const signed = element.previewUrl && !isUrlExpired(element.previewUrlExpiresAt) ? element.previewUrl : null;
  const [asked, setAsked] = useState<{ url: string | null } | null>(null);
  const [fallback, setFallback] = useState(element.previewRefused);
  const asking = useRef(false);

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
    ask().then(
      (preview) => (preview ? setAsked({ url: preview.url }) : setFallback(true)),
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

  const src = fallback ? originalUrl : (asked?.url ?? signed);
  /** The preview did not load (its link lapsed, storage lost it): ask once more, then show the original. */
  const onPreviewError = useCallback(() => {
    if (asked !== null || !signed) return setFallback(true);
    askOnce();
  }, [asked, signed, askOnce]);
  return { src, isPreview: !fallback && src !== null, onPreviewError };
}
