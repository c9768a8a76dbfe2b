"use client";

import { Suspense, useState } from "react";
import { lazyWithPreload } from "@/components/ui/lazy-preload";
import { useI18n } from "@/lib/client/i18n-provider";
import { ShareIcon } from "@/components/ui/icons";

/*
 * The dialog's code (Radix's Dialog with its focus trap, the share form) is loaded when it is first wanted, not with
 * the thread page: nothing else on that page uses Radix (docs/long-threads.md, "First-load scripts"). Pointing at or
 * focusing the button starts the load, so the dialog is usually in by the click.
 */
const { Component: ShareDialog, preload } = lazyWithPreload(() => import("./share-dialog").then((module) => module.ShareDialog));

/** "Share" in the thread's header: opens the share dialog. */
export function ShareButton({ threadId }: { threadId: string }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="btn btn-sm" onClick={() => setOpen(true)} onPointerEnter={preload} onFocus={preload} data-testid="share-button">
        <ShareIcon size={15} />
        <span className="btn-label">{t.share}</span>
      </button>
      {open ? (
        <Suspense fallback={null}>
          <ShareDialog threadId={threadId} open={open} onOpenChange={setOpen} />
        </Suspense>
      ) : null}
    </>
  );
}
