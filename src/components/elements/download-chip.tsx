"use client";

import { clickLink, isUrlExpired } from "@/lib/client/transfers/download";
import { fileKind, formatBytes } from "@/lib/shared/format";
import { useI18n } from "@/lib/client/i18n-provider";
import { DownloadIcon, FileIcon } from "@/components/ui/icons";
import { useToast } from "@/components/ui/toast";
import { useElementUrl } from "./use-element-url";
import type { ThreadElement } from "@/trpc/use-thread-cache";

/**
 * A file as a chip: name, kind, size. A plain <a href download> (keyboard, middle-click and "Save link as" work);
 * the signed URL's Content-Disposition names the saved file, since browsers ignore `download` across origins.
 * An expired link is re-signed on click, then followed.
 */
export function DownloadChip({ threadId, element, compact }: { threadId: string; element: ThreadElement; compact?: boolean }) {
  const { t } = useI18n();
  const toast = useToast();
  const { url, resign } = useElementUrl(threadId, element);
  const name = element.name || "file";
  const kind = fileKind(element.name, element.mime);
  const size = formatBytes(element.bytes);
  return (
    <a
      className={compact ? "file-chip file-chip-compact" : "file-chip"}
      data-testid="element-download"
      href={url ?? "#"}
      download={name}
      rel="noopener"
      onClick={(event) => {
        if (url && !isUrlExpired(element.urlExpiresAt)) return;
        event.preventDefault();
        resign().then(
          (fresh) => clickLink(fresh, name),
          () => toast(t.linkError),
        );
      }}
    >
      <span className="file-icon" aria-hidden="true">
        {kind.length <= 4 ? <span className="file-ext">{kind}</span> : <FileIcon size={18} />}
      </span>
      <span className="file-text">
        <span className="sr-only">{t.download}: </span>
        <span className="file-name" title={name}>
          {name}
        </span>
        <span className="file-meta">{[kind, size].filter(Boolean).join(" · ")}</span>
      </span>
      <DownloadIcon size={16} className="file-download-icon" />
    </a>
  );
}
