"use client";

import { useEffect, useState } from "react";
import { useI18n } from "@/lib/client/i18n-provider";
import { CheckIcon, CopyIcon } from "./icons";

async function writeClipboard(text: string) {
  if (navigator.clipboard?.writeText) return navigator.clipboard.writeText(text);
  // Older or non-secure contexts: the classic hidden-textarea copy.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  document.execCommand("copy");
  area.remove();
}

export function CopyButton({ text, label, className, showLabel }: { text: string; label: string; className?: string; showLabel?: boolean }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2_000);
    return () => clearTimeout(timer);
  }, [copied]);
  const shown = copied ? t.copied : label;
  return (
    <button
      type="button"
      className={className ?? "icon-btn icon-btn-sm"}
      aria-label={showLabel ? undefined : shown}
      title={showLabel ? undefined : shown}
      data-copied={copied ? "true" : undefined}
      onClick={() => {
        writeClipboard(text).then(
          () => setCopied(true),
          () => setCopied(false),
        );
      }}
    >
      {copied ? <CheckIcon size={14} /> : <CopyIcon size={14} />}
      {showLabel ? <span>{shown}</span> : null}
      <span className="sr-only" role="status">
        {copied ? t.copied : ""}
      </span>
    </button>
  );
}
