"use client";

import * as RadixDialog from "@radix-ui/react-dialog";
import { useLayoutEffect, useRef, type ReactNode, type RefObject } from "react";
import { MODAL_DIALOG_CLASS } from "@/lib/client/focus-trap";
import "./radix-dialog.css";
import "./style-nonce";

const SIZES = { sm: "rdx-dialog-sm", md: "", lg: "rdx-dialog-wide", image: "rdx-dialog-image" } as const;

/**
 * The app's modal dialog, on Radix's Dialog: focus trapped inside, Escape and outside clicks close, the rest of the page
 * hidden from assistive technology, title and description wired as its name and description. The one dialog
 * component: a confirmation is `ConfirmDialog` (confirm-dialog.tsx) on top of it.
 *
 * Focus goes back to whatever had it when the dialog opened (its opener), if that is still on the page: Radix does
 * this only for a `Dialog.Trigger`, and our dialogs are opened from menus, rows and thumbs that hold their own state.
 */
export function ModalDialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  testId,
  size = "md",
  initialFocus,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  testId?: string;
  size?: keyof typeof SIZES;
  /** Focused when the dialog opens (a confirmation's Cancel, a form's field); else Radix's first focusable element. */
  initialFocus?: RefObject<HTMLElement | null>;
}) {
  const returnTo = useRef<HTMLElement | null>(null);
  // A layout effect: before Radix's focus scope (a passive effect below) moves focus into the dialog.
  useLayoutEffect(() => {
    if (open && document.activeElement instanceof HTMLElement && document.activeElement !== document.body) returnTo.current = document.activeElement;
  }, [open]);
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="rdx-overlay" />
        <RadixDialog.Content
          className={`${MODAL_DIALOG_CLASS} ${SIZES[size]}`.trim()}
          data-testid={testId}
          // Radix hides the rest of the page from assistive technology; this says so to those that read the flag.
          aria-modal="true"
          {...(description ? {} : { "aria-describedby": undefined })}
          onOpenAutoFocus={(event) => {
            const target = initialFocus?.current;
            if (!target) return;
            event.preventDefault();
            target.focus();
          }}
          onCloseAutoFocus={(event) => {
            event.preventDefault();
            const target = returnTo.current;
            returnTo.current = null;
            if (target?.isConnected) target.focus();
          }}
        >
          <div className="dialog-body">
            <RadixDialog.Title className="dialog-title">{title}</RadixDialog.Title>
            {description ? <RadixDialog.Description className="dialog-description">{description}</RadixDialog.Description> : null}
            {children}
          </div>
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
