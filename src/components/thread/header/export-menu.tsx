"use client";

import { useState } from "react";
import { downloadText } from "@/lib/client/transfers/download";
import { useI18n } from "@/lib/client/i18n-provider";
import { api } from "@/trpc/react";
import { ChevronDownIcon, DownloadIcon } from "@/components/ui/icons";
import { ActionMenu } from "@/components/ui/action-menu";
import { useToast } from "@/components/ui/toast";

type Format = "markdown" | "json";

/** "Export ▾" → Markdown / JSON (the file built by the server) / Print or save as PDF (the print view, in a new tab). */
export function ExportMenu({ threadId }: { threadId: string }) {
  const { t } = useI18n();
  const toast = useToast();
  const utils = api.useUtils();
  const [busy, setBusy] = useState(false);

  const run = async (format: Format) => {
    setBusy(true);
    try {
      const file = await utils.threads.export.fetch({ threadId, format }, { staleTime: 0, gcTime: 0 });
      downloadText(file.content, file.mime, file.fileName);
    } catch {
      toast(t.exportError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <ActionMenu
      label={t.exportButton}
      className="btn btn-sm"
      namedByContent
      busy={busy}
      items={[
        { key: "markdown", label: t.exportMarkdown, hint: ".md", onSelect: () => void run("markdown") },
        { key: "json", label: t.exportJson, hint: ".json", onSelect: () => void run("json") },
        // The print view (app/(print)): the whole thread on one page, its print dialog opened once it has loaded.
        { key: "print", label: t.exportPrint, href: `/threads/${encodeURIComponent(threadId)}/print?print=1` },
      ]}
    >
      {busy ? <span className="spinner spinner-sm" aria-hidden="true" /> : <DownloadIcon size={15} />}
      <span className="btn-label">{t.exportButton}</span>
      <ChevronDownIcon size={14} />
    </ActionMenu>
  );
}
