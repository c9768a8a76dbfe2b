"use client";

import Link from "next/link";
import { useRef, useState, type Ref } from "react";
import { useDebouncedValue } from "@/lib/client/hooks";
import { useI18n } from "@/lib/client/i18n-provider";
import { useShell, type ShellUser } from "./shell-context";
import { FeedbackFilter, type FeedbackFilterValue } from "@/components/threads/feedback-filter";
import { LocaleSwitcher } from "./locale-switcher";
import { NewChatButton } from "./new-chat-button";
import { ThemeToggle } from "./theme-toggle";
import { SEARCH_RESULTS_ID, searchHitId, type SearchNavigation } from "@/components/search/search-navigation";
import { ThreadList } from "@/components/threads/thread-list";
import { ThreadSearch } from "@/components/search/thread-search";
import { CLEAR_STEP_HIGHLIGHT_EVENT } from "@/components/thread/window/use-step-anchor";
import { CloseIcon, SignOutIcon } from "@/components/ui/icons";
import { UserMenu } from "./user-menu";
import { DeletionProgress } from "@/components/account/deletion-progress";

/** The search waits for the user to pause, as Chainlit's ⌘K dialog does (docs/chainlit.md, "Search"); it searches message text (docs/search.md). */
const SEARCH_DEBOUNCE_MS = 300;

interface SidebarProps {
  ref?: Ref<HTMLDivElement>;
  user: ShellUser;
  signOutAction: () => Promise<void>;
  signOutEverywhereAction: () => Promise<void>;
  signInAgainAction: (form: FormData) => Promise<void>;
  /** Off-screen drawer on a phone: out of the tab order and the accessibility tree. */
  hidden: boolean;
  /** Open drawer on a phone: a modal dialog. */
  modal: boolean;
}

export function Sidebar({ ref, user, signOutAction, signOutEverywhereAction, signInAgainAction, hidden, modal }: SidebarProps) {
  const { t } = useI18n();
  const { isPhone, closeDrawer, tagFilter, setTagFilter } = useShell();
  const [search, setSearch] = useState("");
  const [filter, setFilter] = useState<FeedbackFilterValue>("all");
  const debounced = useDebouncedValue(search.trim(), SEARCH_DEBOUNCE_MS);
  const feedback = filter === "all" ? undefined : filter;
  // The highlighted search result, driven from the search box (↑/↓/Enter); reset by every new query.
  const [active, setActive] = useState(-1);
  const [activeFor, setActiveFor] = useState(debounced);
  if (activeFor !== debounced) {
    setActiveFor(debounced);
    setActive(-1);
  }
  const navigation = useRef<SearchNavigation>(null);
  const onResultKey = (key: "ArrowUp" | "ArrowDown" | "Enter") => {
    const count = navigation.current?.count ?? 0;
    if (!debounced || count === 0) return false;
    if (key === "Enter") {
      navigation.current?.open(Math.max(active, 0));
      return true;
    }
    setActive((current) => (key === "ArrowDown" ? Math.min(count - 1, current + 1) : Math.max(0, current - 1)));
    return true;
  };

  // "Did you mean …?": the corrected query goes into the box, as if typed (an opened hit's highlight goes too), and the
  // box keeps the focus for the next keystroke.
  const takeSuggestion = (query: string) => {
    window.dispatchEvent(new Event(CLEAR_STEP_HIGHLIGHT_EVENT));
    setSearch(query);
    document.getElementById("thread-search")?.focus();
  };

  return (
    <div
      id="sidebar"
      ref={ref}
      className="sidebar"
      inert={hidden}
      // A landmark beside <main> on wide screens; a modal dialog while it is the open drawer on a phone.
      role={modal ? "dialog" : "complementary"}
      aria-modal={modal || undefined}
      aria-label={t.threadsNav}
    >
      <div className="sidebar-head">
        {/* Not prefetched: every page view would otherwise ask the server for /threads (two requests) while it hydrates. */}
        <Link href="/threads" prefetch={false} className="brand" onClick={closeDrawer}>
          <span className="brand-mark" aria-hidden="true">
            T
          </span>
          {t.appName}
        </Link>
        {isPhone ? (
          <button type="button" className="icon-btn" data-drawer-close aria-label={t.closeMenu} onClick={closeDrawer}>
            <CloseIcon size={20} />
          </button>
        ) : null}
      </div>
      <div className="sidebar-tools">
        <NewChatButton />
        <ThreadSearch
          value={search}
          onChange={setSearch}
          results={{ controls: debounced ? SEARCH_RESULTS_ID : undefined, activeDescendant: debounced && active >= 0 ? searchHitId(active) : undefined, onKey: onResultKey }}
        />
        <div className="sidebar-filters">
          <FeedbackFilter value={filter} onChange={setFilter} />
          {tagFilter ? (
            // It narrows the list and a search alike. A long tag is cut with an ellipsis: the label and title say it whole.
            <button type="button" className="chip tag-filter" aria-label={t.clearTagFilter(tagFilter)} title={t.clearTagFilter(tagFilter)} onClick={() => setTagFilter(null)} data-testid="tag-filter">
              <span className="tag-filter-text">{t.tagFilter(tagFilter)}</span>
              <CloseIcon size={12} />
            </button>
          ) : null}
        </div>
      </div>
      <ThreadList search={debounced} feedback={feedback} tag={tagFilter ?? undefined} pending={search.trim() !== debounced} selected={active} navigation={navigation} onSuggestion={takeSuggestion} />
      <DeletionProgress />
      <div className="sidebar-foot">
        <UserMenu user={user} signOutEverywhereAction={signOutEverywhereAction} signOutAction={signOutAction} signInAgainAction={signInAgainAction} />
        <div className="foot-actions">
          <ThemeToggle />
          <LocaleSwitcher />
          <form action={signOutAction} className="sign-out-form">
            <button type="submit" className="btn btn-ghost btn-sm">
              <SignOutIcon size={15} />
              {t.signOut}
            </button>
          </form>
        </div>
      </div>
    </div>
  );
}
