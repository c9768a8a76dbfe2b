"use client";

import { useEffect, useId, useRef, useState } from "react";
import { downloadText } from "@/lib/download";
import { useI18n } from "@/lib/i18n/i18n-provider";
import { api } from "@/trpc/react";
import { ChevronDownIcon, DownloadIcon } from "./ui/icons";
import { useToast } from "./ui/toast";

type Format = "markdown" | "json";

/** "Export ▾" → Markdown / JSON: a menu button (arrow keys, Escape, click outside), the file built by the server. */
export function ExportMenu({ threadId }: { threadId: string }) {
  const { t } = useI18n();
  const toast = useToast();
  const utils = api.useUtils();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const menuId = useId();

  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const onPointer = (event: PointerEvent) => {
      if (!menu.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [open]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  const run = async (format: Format) => {
    close(true);
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

  const onMenuKey = (event: React.KeyboardEvent) => {
    const items = Array.from(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
    const index = items.indexOf(document.activeElement as HTMLElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = event.key === "ArrowDown" ? (index + 1) % items.length : (index - 1 + items.length) % items.length;
      items[next]?.focus();
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      items[event.key === "Home" ? 0 : items.length - 1]?.focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close(true);
    } else if (event.key === "Tab") {
      close(false);
    }
  };

  return (
    <div className="menu-wrap">
      <button
        ref={button}
        type="button"
        className="btn btn-sm"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-busy={busy || undefined}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown" && !open) {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        {busy ? <span className="spinner spinner-sm" aria-hidden="true" /> : <DownloadIcon size={15} />}
        {t.exportButton}
        <ChevronDownIcon size={14} />
      </button>
      {open ? (
        <div ref={menu} id={menuId} className="menu" role="menu" aria-label={t.exportButton} onKeyDown={onMenuKey}>
          <button type="button" role="menuitem" tabIndex={-1} className="menu-item" onClick={() => void run("markdown")}>
            {t.exportMarkdown}
            <span className="menu-hint" aria-hidden="true">.md</span>
          </button>
          <button type="button" role="menuitem" tabIndex={-1} className="menu-item" onClick={() => void run("json")}>
            {t.exportJson}
            <span className="menu-hint" aria-hidden="true">.json</span>
          </button>
        </div>
      ) : null}
    </div>
  );
}
