"use client";

import { useEffect, useLayoutEffect, useRef } from "react";
import { api } from "@/trpc/react";
import { modalDialogOpen } from "@/lib/client/focus-trap";
import { useIsApple } from "@/lib/client/hooks";
import { useI18n } from "@/lib/client/i18n-provider";
import { useShell } from "@/components/shell/shell-context";
import { CloseIcon, SearchIcon } from "@/components/ui/icons";
import { CLEAR_STEP_HIGHLIGHT_EVENT } from "@/components/thread/window/use-step-anchor";

interface ResultsNavigation {
  /** Id of the results listbox, while results are shown. */
  controls?: string;
  /** Id of the highlighted result, if any. */
  activeDescendant?: string;
  /** ↑/↓/Enter: returns true when it handled the key. */
  onKey(key: "ArrowUp" | "ArrowDown" | "Enter"): boolean;
}

/**
 * The search box; Ctrl+K (⌘K on Apple) focuses it from anywhere, opening the drawer first on a phone. It searches
 * the words of every message (search-results.tsx): ↑/↓ move through the results and Enter opens one, focus
 * staying in the box (aria-activedescendant names the chosen row). Typing clears a search hit's highlight in the thread (use-step-anchor.ts).
 */
export function ThreadSearch({ value, onChange, results }: { value: string; onChange: (value: string) => void; results?: ResultsNavigation }) {
  const { t } = useI18n();
  const { isPhone, openDrawer } = useShell();
  const input = useRef<HTMLInputElement>(null);
  const apple = useIsApple();
  // Focus prepares the search (search.prepare: the index's catch-up and the newest threads, read once), so the
  // pages typed next are quicker, and each focus sees what was written before it.
  const prepare = api.search.prepare.useMutation();
  const prepareSearch = prepare.mutate;

  // Text typed before this box was hydrated (the sidebar hydrates after the open thread: app-shell.tsx) is in the
  // element but not in React's state, and React reports no change for it (its value tracker starts from what the
  // element holds at hydration): take it over once, at hydration, before any render could write the empty value back.
  // On a client-side mount the element holds `value` already, and nothing happens.
  useLayoutEffect(() => {
    const typed = input.current?.value ?? "";
    if (typed !== value) onChange(typed);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, with the values of the hydrating render
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key.toLowerCase() !== "k" || !(event.metaKey || event.ctrlKey) || event.altKey || event.shiftKey) return;
      if (modalDialogOpen()) return;
      event.preventDefault();
      if (isPhone) openDrawer("search");
      else {
        input.current?.focus();
        input.current?.select();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [isPhone, openDrawer]);

  return (
    <div className="search-box" role="search">
      <SearchIcon className="search-icon" />
      <input
        ref={input}
        id="thread-search"
        type="search"
        className="search-input"
        aria-label={t.searchLabel}
        aria-keyshortcuts="Control+K Meta+K"
        placeholder={t.searchPlaceholder}
        autoComplete="off"
        spellCheck={false}
        maxLength={200}
        value={value}
        aria-controls={results?.controls}
        aria-activedescendant={results?.activeDescendant}
        onFocus={() => prepareSearch()}
        onChange={(event) => {
          window.dispatchEvent(new Event(CLEAR_STEP_HIGHLIGHT_EVENT));
          onChange(event.target.value);
        }}
        onKeyDown={(event) => {
          if ((event.key === "ArrowUp" || event.key === "ArrowDown" || event.key === "Enter") && results?.onKey(event.key)) {
            event.preventDefault();
            return;
          }
          if (event.key === "Escape" && value) {
            event.preventDefault();
            event.stopPropagation();
            onChange("");
          }
        }}
      />
      {value ? (
        <button
          type="button"
          className="icon-btn icon-btn-sm search-clear"
          aria-label={t.clearSearch}
          onClick={() => {
            onChange("");
            input.current?.focus();
          }}
        >
          <CloseIcon size={14} />
        </button>
      ) : (
        <kbd className="search-kbd" aria-hidden="true">
          {apple ? "⌘K" : "Ctrl K"}
        </kbd>
      )}
    </div>
  );
}
