/**
 * Enter in the message box, and the one pressed before the page has hydrated.
 *
 * A page load (a link opened, a reload, Back: pages are no-store) shows the box before the app's scripts run, and
 * what is typed in it then is the user's; an Enter pressed then reached no handler, broke the line, and the app, once
 * hydrated, put its draft back without it: the message was never sent and nothing said so. The page's early script
 * (EARLY_SEND_SCRIPT, in <head>) takes that Enter instead: it marks the box, and the composer sends what the box showed
 * once it runs (composer.tsx). From then on the composer marks the box ready and the script leaves it alone. The
 * browser never refills the box itself (autocomplete="off": what a history entry kept may be another user's).
 */

/** Set by the composer on its box once it handles keys itself. */
export const BOX_READY_ATTRIBUTE = "data-ready";
/** Set by the early script on a box whose Enter came before the composer ran: the composer sends it. */
export const SEND_PENDING_ATTRIBUTE = "data-send-pending";
/** What marks the composer's box for the early script (a box of the app's, not any textarea of a page). */
export const EARLY_SEND_ATTRIBUTE = "data-early-send";
/** The composer's box's props that mark it (EARLY_SEND_ATTRIBUTE). */
export const EARLY_SEND_BOX = { [EARLY_SEND_ATTRIBUTE]: "" } as const;

/**
 * Whether a keydown in the message box sends: Enter, not Shift+Enter (a line break) nor Alt+Enter, never while an IME
 * is composing (Enter picks the candidate; keyCode 229 is Safari's), and on a touch keyboard only with Ctrl/⌘ (Enter
 * is a new line there; the Send button sends). Self-contained (no imports, no outer names): its source text is also
 * the early script's.
 */
export function sendsMessage(event: KeyboardEvent): boolean {
  if (event.key !== "Enter" || event.shiftKey || event.altKey) return false;
  if (event.isComposing || event.keyCode === 229) return false;
  return !(window.matchMedia("(pointer: coarse)").matches && !event.ctrlKey && !event.metaKey);
}

/** Runs in <head>, before the page's scripts: an Enter that sends, in a box the composer has not taken yet, is kept. */
export const EARLY_SEND_SCRIPT = `(function(){var sends=${sendsMessage.toString()};document.addEventListener("keydown",function(e){var t=e.target;if(!(t instanceof HTMLTextAreaElement)||!t.hasAttribute(${JSON.stringify(EARLY_SEND_ATTRIBUTE)})||t.hasAttribute(${JSON.stringify(BOX_READY_ATTRIBUTE)})||!sends(e))return;e.preventDefault();t.setAttribute(${JSON.stringify(SEND_PENDING_ATTRIBUTE)},"")},true)})();`;
