"use client";

import { useI18n } from "@/lib/client/i18n-provider";
import { classifyImage } from "@/lib/shared/image-source";
import { CopyButton } from "@/components/ui/copy-button";

/*
 * The client parts of rendered Markdown (markdown.tsx): they read the language or the clipboard, so
 * they run in the browser even where the Markdown around them was rendered on the server.
 */

/** A code block's frame: its language, a copy button, and the scrollable code. */
export function CodeFrame({ language, text, children }: { language: string | undefined; text: string; children?: React.ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="code-block">
      <div className="code-head">
        <span className="code-lang">{language ?? "text"}</span>
        <CopyButton text={text} label={t.copyCode} className="code-copy" showLabel />
      </div>
      {/* Scrollable regions must be focusable for keyboard users (axe: scrollable-region-focusable). */}
      <pre tabIndex={0}>{children}</pre>
    </div>
  );
}

/**
 * An image in stored text. Only data: and blob: images load (image-source.ts): another origin's would be fetched the
 * moment the thread opens, which is how a prompt-injected reply leaks data, and the page's CSP refuses them anyway;
 * the app's own paths would be fetched with the reader's session, and a path the app serves is never a message's
 * image (its alt text is shown). Another origin's
 * image is a placeholder naming its host, with a link that opens it in a new tab if the reader chooses: one image,
 * one click, no Referer, no opener. It is not loaded in place, which would need the CSP to allow any host for the
 * whole page.
 */
export function MarkdownImage({ src, alt }: { src?: unknown; alt?: string }) {
  const { t } = useI18n();
  if (typeof src !== "string") return null;
  const image = classifyImage(src);
  if (image.kind === "local") return <img src={image.src} alt={alt ?? ""} loading="lazy" referrerPolicy="no-referrer" />;
  if (image.kind === "invalid") return alt ? <span className="link-removed">{alt}</span> : null;
  // Spans only: an image sits inside a paragraph.
  return (
    <span className="remote-image" data-testid="remote-image">
      <span className="remote-image-text">
        {t.remoteImage(image.host)}
        {alt ? <span className="remote-image-alt"> “{alt}”</span> : null}
      </span>
      <a className="btn btn-sm" href={image.href} target="_blank" rel="noopener noreferrer nofollow ugc" aria-label={t.openRemoteImageLabel(image.host)}>
        {t.openRemoteImage}
      </a>
    </span>
  );
}

