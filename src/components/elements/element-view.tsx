"use client";

import { Suspense, useEffect, useRef, useState } from "react";
import { lazyWithPreload } from "@/components/ui/lazy-preload";
import { isCsv, parseCsv } from "@/lib/shared/csv";
import { isTextLike } from "@/lib/shared/format";
import { useI18n } from "@/lib/client/i18n-provider";
import { DownloadChip } from "./download-chip";
import { ExpandIcon } from "@/components/ui/icons";
import { useElementUrl } from "./use-element-url";
import { usePreviewSrc } from "./use-element-preview";
import type { ThreadElement } from "@/trpc/use-thread-cache";

/*
 * The full-size view (Radix's Dialog) loads when first wanted, not with the thread or share page: nothing else in
 * their first scripts uses Radix (docs/long-threads.md, "First-load scripts"). Pointing at or focusing a thumbnail
 * starts the load, so the dialog is usually in by the click.
 */
const { Component: ImageDialog, preload: preloadImageDialog } = lazyWithPreload(() => import("./image-dialog").then((module) => module.ImageDialog));

const PREVIEW_LINES = 50;
/** Only the head of a text file is read for its preview. */
const PREVIEW_BYTES = 64 * 1024;
/**
 * The largest PDF shown in place (the default upload limit): a preview reads the whole file, as soon as the thread or
 * the share page opens. An element item names any object its writer stored (another app on the table, an import),
 * and a file of a few GB was downloaded into the reader's memory, and out of the operator's bucket, at every view,
 * by anyone holding a share link. A larger one is a download chip only.
 */
const PDF_PREVIEW_MAX = 20 * 1024 * 1024;

/** The body's first bytes, up to `max`, and whether that was all of it; the rest is never read. */
async function readUpTo(response: Response, max: number): Promise<{ bytes: Uint8Array; whole: boolean }> {
  const reader = response.body?.getReader();
  if (!reader) return { bytes: new Uint8Array(), whole: true };
  const chunks: Uint8Array[] = [];
  let total = 0;
  let whole = false;
  while (total <= max) {
    const { done, value } = await reader.read();
    if (done) {
      whole = true;
      break;
    }
    chunks.push(value);
    total += value.byteLength;
  }
  if (!whole) void reader.cancel().catch(() => {});
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes: bytes.subarray(0, max), whole: whole && total <= max };
}

function kindOf(element: ThreadElement): "image" | "pdf" | "audio" | "video" | "text" | "file" {
  const mime = (element.mime ?? "").toLowerCase();
  const type = element.type ?? "";
  if (type === "image" || mime.startsWith("image/")) return "image";
  if (type === "pdf" || mime === "application/pdf") return "pdf";
  if (type === "audio" || mime.startsWith("audio/")) return "audio";
  if (type === "video" || mime.startsWith("video/")) return "video";
  if (type === "text" || isTextLike(element.name, element.mime)) return "text";
  return "file";
}

/** A step's attachments: images as a gallery, everything else as previews and file chips. */
export function ElementList({ threadId, elements, align }: { threadId: string; elements: ThreadElement[]; align?: "end" }) {
  if (elements.length === 0) return null;
  const images = elements.filter((e) => kindOf(e) === "image");
  const others = elements.filter((e) => kindOf(e) !== "image");
  return (
    <div className={align === "end" ? "elements elements-end" : "elements"}>
      {images.length ? (
        <div className="image-gallery">
          {images.map((element) => (
            <ImageElement key={element.id} threadId={threadId} element={element} />
          ))}
        </div>
      ) : null}
      {others.map((element) => (
        <ElementView key={element.id} threadId={threadId} element={element} />
      ))}
    </div>
  );
}

function ElementView({ threadId, element }: { threadId: string; element: ThreadElement }) {
  const kind = kindOf(element);
  const name = element.name || "file";
  if (!element.url) return <DownloadChip threadId={threadId} element={element} />;
  switch (kind) {
    case "audio":
      return (
        <figure className="media">
          <audio controls preload="metadata" src={element.url} aria-label={name} />
          <DownloadChip threadId={threadId} element={element} compact />
        </figure>
      );
    case "video":
      return (
        <figure className="media">
          <video className="video" controls preload="metadata" src={element.url} aria-label={name} />
          <DownloadChip threadId={threadId} element={element} compact />
        </figure>
      );
    case "pdf":
      return <PdfElement threadId={threadId} element={element} />;
    case "text":
      return <TextElement threadId={threadId} element={element} />;
    default:
      return <DownloadChip threadId={threadId} element={element} />;
  }
}

function ImageElement({ threadId, element }: { threadId: string; element: ThreadElement }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const { url, resign } = useElementUrl(threadId, element);
  const button = useRef<HTMLButtonElement>(null);
  // The thumbnail shows the small preview; the dialog and the download chip keep the original.
  const { src, isPreview, onPreviewError } = usePreviewSrc(threadId, element, url, button);
  const retried = useRef(false);
  const name = element.name || "image";
  // A thumbnail that fails (its link lapsed before it loaded) is re-signed once.
  const onError = () => {
    if (isPreview) return onPreviewError();
    if (retried.current) return;
    retried.current = true;
    resign().catch(() => {});
  };
  return (
    <>
      <button ref={button} type="button" className="image-thumb" data-testid="element-image" aria-label={t.openImage(name)} onPointerEnter={preloadImageDialog} onFocus={preloadImageDialog} onClick={() => setOpen(true)}>
        {src ? <img src={src} alt={name} loading="lazy" decoding="async" onError={onError} /> : <span className="skeleton image-placeholder" />}
        <span className="image-thumb-zoom" aria-hidden="true">
          <ExpandIcon size={14} />
        </span>
      </button>
      {open ? (
        <Suspense fallback={null}>
          <ImageDialog threadId={threadId} element={element} url={url} name={name} onClose={() => setOpen(false)} />
        </Suspense>
      ) : null}
    </>
  );
}

type Fetched<T> = { status: "loading" } | { status: "ok"; value: T } | { status: "error" };

/**
 * Reads the head of a signed URL in the browser. Needs the bucket to allow CORS GETs from the app's origin;
 * without that the fetch fails and only the download chip shows.
 */
function useFetchedHead(getUrl: () => Promise<string>, as: "text" | "blob", mime?: string | null): Fetched<string> {
  const [state, setState] = useState<Fetched<string>>({ status: "loading" });
  useEffect(() => {
    const controller = new AbortController();
    let objectUrl: string | null = null;
    (async () => {
      const response = await fetch(await getUrl(), { signal: controller.signal, credentials: "omit", mode: "cors" });
      if (!response.ok) throw new Error(String(response.status));
      if (as === "blob") {
        // A declared length over the limit is not read at all; a body without one (or lying) is cut off at it.
        const declared = Number(response.headers.get("content-length") ?? NaN);
        const { bytes, whole } = declared > PDF_PREVIEW_MAX ? { bytes: null, whole: false } : await readUpTo(response, PDF_PREVIEW_MAX);
        if (!bytes || !whole) {
          void response.body?.cancel().catch(() => {});
          throw new Error("too large to preview");
        }
        objectUrl = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], mime ? { type: mime } : {}));
        return objectUrl;
      }
      // A text preview shows the head of any file: a longer one is cut, not refused.
      return new TextDecoder().decode((await readUpTo(response, PREVIEW_BYTES)).bytes);
    })().then(
      (value) => setState({ status: "ok", value }),
      () => {
        if (!controller.signal.aborted) setState({ status: "error" });
      },
    );
    return () => {
      controller.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
    // Read once per element: a link re-signed later (written back to the cache) needs no second read.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return state;
}

function TextElement({ threadId, element }: { threadId: string; element: ThreadElement }) {
  const { t } = useI18n();
  const { freshUrl } = useElementUrl(threadId, element);
  const state = useFetchedHead(freshUrl, "text");
  const csv = isCsv(element.name, element.mime);
  let preview: React.ReactNode = null;
  if (state.status === "ok") {
    const lines = state.value.split(/\r?\n/);
    const truncated = lines.length > PREVIEW_LINES + 1 || state.value.length >= PREVIEW_BYTES;
    if (csv) {
      const rows = parseCsv(state.value, PREVIEW_LINES + 1).filter((row) => row.some((cell) => cell !== ""));
      const [head, ...body] = rows;
      preview = head ? (
        <div className="csv-preview table-wrap" tabIndex={0} data-testid="csv-preview">
          <table>
            <thead>
              <tr>
                {head.map((cell, i) => (
                  <th key={i} scope="col">
                    {cell}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {body.slice(0, PREVIEW_LINES).map((row, r) => (
                <tr key={r}>
                  {head.map((_, c) => (
                    <td key={c}>{row[c] ?? ""}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null;
    } else {
      preview = (
        <pre className="text-preview" tabIndex={0} data-testid="text-preview">
          {lines.slice(0, PREVIEW_LINES).join("\n")}
        </pre>
      );
    }
    if (preview && truncated) preview = (
      <>
        {preview}
        <p className="muted preview-note">{t.previewLines(PREVIEW_LINES)}</p>
      </>
    );
  }
  // No placeholder while loading: where the bucket has no CORS rule the preview never comes, and a placeholder
  // that then vanished would shift the page.
  return (
    <figure className="file-preview">
      {preview}
      <DownloadChip threadId={threadId} element={element} />
    </figure>
  );
}

function PdfElement({ threadId, element }: { threadId: string; element: ThreadElement }) {
  const { t } = useI18n();
  // The signed URL says "attachment" (uploaded files must never render as pages), so an <iframe> of it would
  // download instead of showing: the viewer gets a same-page blob: URL of the bytes instead.
  const { freshUrl } = useElementUrl(threadId, element);
  const state = useFetchedHead(freshUrl, "blob", "application/pdf");
  return (
    <figure className="file-preview">
      {state.status === "ok" ? <iframe className="pdf-frame" src={state.value} title={t.pdfTitle(element.name || "PDF")} /> : null}
      <DownloadChip threadId={threadId} element={element} />
    </figure>
  );
}
