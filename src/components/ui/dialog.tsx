"use client";

import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode, type RefObject } from "react";
import { FOCUSABLE, trapTab } from "@/lib/client/focus-trap";


interface DialogProps {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  /** Focused when the dialog opens; else the first focusable element. */
  initialFocusRef?: RefObject<HTMLElement | null>;
  className?: string;
  /** Hides the visible title (still the dialog's accessible name). */
  hideTitle?: boolean;
  testId?: string;
}

/**
 * A modal on the native <dialog>: showModal() makes the rest of the page inert and gives role="dialog"; we add
 * aria-modal, keep Tab inside (wrapping), turn Escape into onClose so React state stays the source of truth,
 * close on a backdrop click, and hand focus back to whatever had it.
 */
export function Dialog({ open, onClose, title, description, children, initialFocusRef, className, hideTitle, testId }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const returnTo = useRef<HTMLElement | null>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
      const target = initialFocusRef?.current ?? dialog.querySelector<HTMLElement>(FOCUSABLE);
      target?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open, initialFocusRef]);

  // Focus goes back after the dialog is gone, if its opener is still on the page.
  useEffect(() => {
    if (open) return;
    const target = returnTo.current;
    returnTo.current = null;
    if (target?.isConnected && (document.activeElement === document.body || document.activeElement === null)) target.focus();
  }, [open]);

  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => trapTab(event, ref.current);

  return (
    <dialog
      ref={ref}
      className={`dialog ${className ?? ""}`}
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClose={() => {
        if (open) onClose();
      }}
      onKeyDown={onKeyDown}
      onMouseDown={(event) => {
        // The dialog box fills its padding-less element: a press on the element itself is on the backdrop.
        if (event.target === event.currentTarget) onClose();
      }}
    >
      {open ? (
        <div className="dialog-body">
          <h2 id={titleId} className={hideTitle ? "sr-only" : "dialog-title"}>
            {title}
          </h2>
          {description ? (
            <p id={descriptionId} className="dialog-description">
              {description}
            </p>
          ) : null}
          {children}
        </div>
      ) : null}
    </dialog>
  );
}
