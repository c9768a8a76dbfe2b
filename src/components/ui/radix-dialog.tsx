"use client";

import * as RadixDialog from "@radix-ui/react-dialog";
import type { ReactNode } from "react";
import "./radix-dialog.css";
import "./style-nonce";

/**
 * A modal on Radix's Dialog (focus trapped and restored, Escape and outside clicks close, title and description
 * wired for assistive technology), dressed like the app's other dialogs.
 */
export function ModalDialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  testId,
  wide,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  testId?: string;
  wide?: boolean;
}) {
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="rdx-overlay" />
        <RadixDialog.Content className={wide ? "rdx-dialog rdx-dialog-wide" : "rdx-dialog"} data-testid={testId} {...(description ? {} : { "aria-describedby": undefined })}>
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
