/** What Tab can reach inside a modal surface (dialogs, the phone drawer). */
export const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Keeps Tab and Shift+Tab inside `container` (a modal must not let focus wander behind it): from the last item Tab
 * wraps to the first, and back. Hidden items are skipped.
 */
export function trapTab(event: Pick<KeyboardEvent, "key" | "shiftKey" | "preventDefault">, container: HTMLElement | null) {
  if (event.key !== "Tab" || !container) return;
  const items = Array.from(container.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => el.getClientRects().length > 0 || el === document.activeElement);
  if (items.length === 0) return;
  const first = items[0]!;
  const last = items[items.length - 1]!;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

/** The class of every open modal dialog (ui/radix-dialog.tsx): kept here so the shell can ask without loading Radix. */
export const MODAL_DIALOG_CLASS = "rdx-dialog";

/** A modal dialog is open: the page's own shortcuts (Escape closing the drawer, ⌘K) leave the keys to it. */
export function modalDialogOpen(): boolean {
  return document.querySelector(`.${MODAL_DIALOG_CLASS}`) !== null;
}
