"use client";

import { useEffect } from "react";
import { useRouter } from "next/navigation";
import { modalDialogOpen } from "@/lib/client/focus-trap";
import { requestNewChat } from "@/components/composer/new-chat-state";

/** The composer's box (composer.tsx): the one text box Shift+Escape goes to. */
const COMPOSER_SELECTOR = "textarea.composer-input";

/**
 * The app's keys, as ChatGPT has them so hands that know one know the other (docs/keyboard.md). Ctrl on Windows and
 * Linux, ⌘ on Apple; each is also named on its control (`aria-keyshortcuts`) where there is one. Ctrl/⌘+K (search)
 * lives with the search box, which it focuses.
 * - Ctrl/⌘+Shift+O: a new chat;
 * - `/` (outside a text field), or ChatGPT's Shift+Escape: the message box. Chrome keeps Shift+Escape for its task
 *   manager on Windows and Linux, hence `/` too, as chat and mail apps have it;
 * - Ctrl/⌘+/: the list of shortcuts.
 * None acts while a modal dialog is open: its keys are its own.
 */
export function useGlobalShortcuts(showShortcuts: () => void) {
  const router = useRouter();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || modalDialogOpen()) return;
      const command = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (command && event.shiftKey && key === "o") {
        event.preventDefault();
        requestNewChat();
        router.push("/threads");
      } else if ((!command && event.shiftKey && key === "escape") || (!command && key === "/" && !typingIn(event.target))) {
        const box = document.querySelector<HTMLTextAreaElement>(COMPOSER_SELECTOR);
        if (!box) return;
        event.preventDefault();
        box.focus();
      } else if (command && !event.shiftKey && (key === "/" || event.code === "Slash")) {
        event.preventDefault();
        showShortcuts();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [router, showShortcuts]);
}

/** A field that takes text: `/` typed there is a character, not a command. */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || (target instanceof HTMLInputElement && !["button", "checkbox", "radio", "submit", "reset"].includes(target.type));
}
