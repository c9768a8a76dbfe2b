"use client";

import { Fragment } from "react";
import { useIsApple } from "@/lib/client/hooks";
import { useI18n } from "@/lib/client/i18n-provider";
import { ModalDialog } from "@/components/ui/radix-dialog";

/** One row: the keys pressed together, "mod" being ⌘ on Apple and Ctrl elsewhere. */
type Keys = readonly string[];

/**
 * Every key the app answers to, listed (Ctrl/⌘+/ or the account menu's "Keyboard shortcuts"); keyboard-shortcuts.ts
 * handles the page-wide ones, each control its own.
 */
export function ShortcutsDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t } = useI18n();
  const apple = useIsApple();
  const rows: [label: string, keys: Keys][] = [
    [t.shortcutSearchMessages, ["mod", "K"]],
    [t.shortcutNewChat, ["mod", "Shift", "O"]],
    [t.shortcutFocusComposer, ["/"]],
    [t.shortcutSend, ["Enter"]],
    [t.shortcutNewLine, ["Shift", "Enter"]],
    [t.shortcutSaveText, ["mod", "Enter"]],
    [t.shortcutClose, ["Esc"]],
    [t.shortcutRows, ["↑", "↓"]],
    [t.shortcutShowAll, ["mod", "/"]],
  ];
  const name = (key: string) => (key === "mod" ? (apple ? "⌘" : "Ctrl") : key === "Shift" && apple ? "⇧" : key);
  return (
    <ModalDialog open={open} onOpenChange={onOpenChange} title={t.keyboardShortcuts} size="sm" testId="shortcuts-dialog">
      <dl className="shortcut-list">
        {rows.map(([label, keys]) => (
          <div key={label} className="shortcut-row">
            <dt>{label}</dt>
            <dd>
              {keys.map((key, index) => (
                <Fragment key={key}>
                  {index > 0 ? <span aria-hidden="true"> </span> : null}
                  <kbd>{name(key)}</kbd>
                </Fragment>
              ))}
            </dd>
          </div>
        ))}
      </dl>
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={() => onOpenChange(false)}>
          {t.close}
        </button>
      </div>
    </ModalDialog>
  );
}
