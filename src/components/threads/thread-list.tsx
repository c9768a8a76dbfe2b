"use client";

import { refusalMessage } from "@/lib/client/error-messages/refusal-message";
import { keepPreviousData } from "@tanstack/react-query";
import { useParams, useRouter } from "next/navigation";
import { useEffect, useImperativeHandle, useMemo, useRef, useState, type Ref } from "react";
import { formatMonthYear, groupByDate, type DateGroupKey } from "@/lib/shared/date-groups";
import { useHydrated, useNow } from "@/lib/client/hooks";
import type { Dictionary } from "@/lib/shared/i18n/en";
import { useI18n } from "@/lib/client/i18n-provider";
import { threadIdFromParam } from "@/lib/shared/thread-param";
import { api } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/router-types";
import { useShell } from "@/components/shell/shell-context";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { SEARCH_RESULTS_ID, announceStepAnchor, hitHref, searchHitId, type SearchNavigation } from "@/components/search/search-navigation";
import { ThreadListItem } from "./thread-list-item";
import { usePins } from "./use-pins";
import { useToast } from "@/components/ui/toast";
import { useThreadCache, type ThreadRow } from "@/trpc/use-thread-cache";
import { forgetDraft } from "@/lib/client/draft-store";

/** 30 rows: more than a tall screen shows, so the first page usually overflows (Chainlit #1661 used 20, then 35). */
export const THREAD_PAGE_SIZE = 30;
/** Search pages are smaller: each hit carries a snippet. */
const SEARCH_PAGE_SIZE = 20;
const SKELETON_ROWS = 12;

export function groupLabel(key: DateGroupKey, t: Dictionary, locale: string): string {
  return key.kind === "month" ? formatMonthYear(key.year, key.month, locale) : t.groups[key.kind];
}

/** A row of the list, or of search results: then with the snippet of the matched message and where it opens. */
type Row = ThreadRow & { snippet?: RouterOutputs["search"]["query"]["data"][number]["snippet"]; stepId?: string | null };

/**
 * The sidebar list: the user's threads, or with a search, the threads whose messages hold its words (search.query,
 * docs/search.md), newest activity first, each with a snippet of the matched message. Both page on scroll; a
 * search typed over is cancelled on the wire (react-query's signal, `abortOnUnmount`), and its result count is
 * announced. `selected`/`navigation`: the search box's ↑/↓/Enter (sidebar.tsx).
 */
type ThreadListProps = {
  search: string;
  feedback: 0 | 1 | undefined;
  /** Only threads with this tag (the sidebar's tag filter); a search looks at every thread, as with 👍/👎 it does not. */
  tag?: string;
  pending: boolean;
  selected?: number;
  navigation?: Ref<SearchNavigation>;
  /** "Did you mean …?" was chosen: the search box takes the corrected query (sidebar.tsx). */
  onSuggestion?: (query: string) => void;
};

/**
 * The browser reads the list (threads.list and threads.pinned, after hydration), so the server can only draw it
 * loading: it draws that, the same markup as the list's own loading state, without the list's queries and mutations,
 * which cost CPU on every page (bench/HISTORY.md, "The thread page's server cost, sixth pass"). They start in the
 * render right after hydration.
 */
export function ThreadList(props: ThreadListProps) {
  return useHydrated() ? <LoadedThreadList {...props} /> : <ThreadListLoading />;
}

/** What LoadedThreadList draws before its first page (no search, nothing fetched yet). */
function ThreadListLoading() {
  const { t } = useI18n();
  return (
    <nav className="thread-nav" aria-label={t.historyNav}>
      <div className="thread-scroll" data-testid="thread-list" aria-busy>
        <ListSkeleton />
        <div className="thread-sentinel" aria-hidden="true" />
      </div>
    </nav>
  );
}

function LoadedThreadList({
  search,
  feedback,
  tag,
  pending,
  selected = -1,
  navigation,
  onSuggestion,
}: ThreadListProps) {
  const { t, locale } = useI18n();
  const toast = useToast();
  const router = useRouter();
  const { closeDrawer } = useShell();
  const params = useParams<{ threadId?: string }>();
  const activeId = params?.threadId ? threadIdFromParam(params.threadId) : null;
  const now = useNow();
  const nowMs = now.getTime();
  const cache = useThreadCache();

  const pageParams = {
    getNextPageParam: (page: { pageInfo: { hasNextPage: boolean; endCursor: string | null } }) => (page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined),
    // A new search keeps the old rows on screen (dimmed) until its first page lands: no flash of skeletons.
    placeholderData: keepPreviousData,
  };
  const listQuery = api.threads.list.useInfiniteQuery({ first: THREAD_PAGE_SIZE, feedback, tag }, { ...pageParams, enabled: !search });
  const searchQuery = api.search.query.useInfiniteQuery(
    { query: search, feedback, tag, first: SEARCH_PAGE_SIZE },
    { ...pageParams, enabled: Boolean(search), trpc: { abortOnUnmount: true } },
  );
  const query = search ? searchQuery : listQuery;
  const { hasNextPage, isFetchingNextPage, isFetchNextPageError, fetchNextPage } = query;
  const partial = search ? (searchQuery.data?.pages.some((page) => page.partial) ?? false) : false;
  // A search that found nothing because a word is in none of the user's messages: the closest word of theirs.
  const suggestion = search && !searchQuery.isPlaceholderData ? (searchQuery.data?.pages[0]?.suggestion ?? null) : null;

  const rows = useMemo(() => {
    const pages: Array<{ data: Row[] }> = search
      ? (searchQuery.data?.pages ?? []).map((page) => ({ data: page.data.map((hit) => ({ ...hit, createdAt: hit.updatedAt })) }))
      : (listQuery.data?.pages ?? []);
    const seen = new Set<string>();
    const out: Row[] = [];
    for (const page of pages) {
      for (const row of page.data) {
        if (seen.has(row.id)) continue; // a thread touched between two pages can come back in the next one
        seen.add(row.id);
        out.push(row);
      }
    }
    return out;
  }, [search, searchQuery.data, listQuery.data]);
  const indexOf = useMemo(() => new Map(rows.map((row, index) => [row.id, index])), [rows]);
  const openHit = (row: Row) => {
    closeDrawer();
    router.push(hitHref(row));
    announceStepAnchor(row.stepId, search);
  };
  useImperativeHandle(navigation, () => ({ count: search ? rows.length : 0, open: (index: number) => rows[index] && openHit(rows[index]) }));
  useEffect(() => {
    if (search && selected >= 0) document.getElementById(searchHitId(selected))?.scrollIntoView({ block: "nearest" });
  }, [search, selected]);
  // Pinned threads sit above the date groups in the plain list (not in a search or a 👍/👎 filter), and only there.
  const pins = usePins();
  const showPinned = !search && feedback === undefined && tag === undefined && pins.rows.length > 0;
  const groups = useMemo(() => {
    if (nowMs === 0) return [];
    const dated = showPinned ? rows.filter((row) => !pins.ids.has(row.id)) : rows;
    return groupByDate(dated, (row) => row.updatedAt, new Date(nowMs));
  }, [rows, nowMs, showPinned, pins.ids]);

  // Infinite scroll. The observer is rebuilt after every page, and a new observer reports the sentinel's current
  // state at once: while the sentinel is still in view (the panel is not full yet) the next page loads without any
  // scroll event. Chainlit only listened to scroll, so a short first page never loaded more (#2100).
  const scroller = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const pageCount = (search ? searchQuery.data?.pages.length : listQuery.data?.pages.length) ?? 0;
  const showingPlaceholder = query.isPlaceholderData;
  useEffect(() => {
    const root = scroller.current;
    const target = sentinel.current;
    if (!root || !target || !hasNextPage || isFetchingNextPage || isFetchNextPageError || showingPlaceholder) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) void fetchNextPage();
      },
      { root, rootMargin: "0px 0px 240px 0px" },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [pageCount, hasNextPage, isFetchingNextPage, isFetchNextPageError, showingPlaceholder, fetchNextPage]);

  const rename = api.threads.rename.useMutation();
  const remove = api.threads.delete.useMutation();
  const [toDelete, setToDelete] = useState<ThreadRow | null>(null);

  const onRename = (row: ThreadRow, name: string) => {
    const undo = cache.renameInLists(row.id, name);
    rename.mutate(
      { threadId: row.id, name },
      {
        onError: (error) => {
          undo();
          // A thread Chainlit filled to 400 KB takes no longer name: said so, rather than "try again".
          toast(refusalMessage(t, error.data?.refusal) ?? t.renameError);
        },
        onSettled: () => void cache.invalidateSearchLists(),
      },
    );
  };

  const onConfirmDelete = () => {
    const row = toDelete;
    if (!row) return;
    remove.mutate(
      { threadId: row.id },
      {
        onSuccess: () => {
          cache.removeFromLists(row.id);
          forgetDraft(row.id);
          setToDelete(null);
          if (row.id === activeId) router.replace("/threads");
          document.getElementById("thread-search")?.focus();
        },
        onError: () => {
          setToDelete(null);
          toast(t.deleteError);
        },
      },
    );
  };

  const filtered = Boolean(search) || feedback !== undefined || tag !== undefined;
  let body: React.ReactNode;
  if (query.isPending || (nowMs === 0 && rows.length > 0)) {
    body = <ListSkeleton />;
  } else if (query.isError && rows.length === 0) {
    body = (
      <div className="list-state" role="alert">
        <p>{t.listError}</p>
        <button type="button" className="btn btn-sm" onClick={() => void query.refetch()}>
          {t.retry}
        </button>
      </div>
    );
  } else if (rows.length === 0) {
    body = (
      <div className="list-state">
        <p className="list-state-title">{filtered ? t.noMatches : t.noThreads}</p>
        {suggestion ? (
          <p className="search-suggestion" data-testid="search-suggestion">
            {t.searchDidYouMean.before}
            <button type="button" onClick={() => onSuggestion?.(suggestion)}>
              {suggestion}
            </button>
            {t.searchDidYouMean.after}
          </p>
        ) : (
          <p className="muted">{filtered ? t.noMatchesHint : t.noThreadsHint}</p>
        )}
      </div>
    );
  } else {
    const item = (row: Row) => (
      <ThreadListItem
        key={row.id}
        thread={row}
        now={now}
        active={row.id === activeId}
        hit={search ? { id: searchHitId(indexOf.get(row.id) ?? -1), href: hitHref(row), snippet: row.snippet ?? [], selected: indexOf.get(row.id) === selected } : undefined}
        pinned={pins.ids.has(row.id)}
        onTogglePin={() => pins.toggle(row)}
        onNavigate={() => {
          closeDrawer();
          if (search) announceStepAnchor(row.stepId, search);
        }}
        onRename={(name) => onRename(row, name)}
        onDelete={() => setToDelete(row)}
      />
    );
    const section = (id: string, title: string, items: Row[], testId?: string) => (
      <section key={id} className="thread-group" aria-labelledby={`thread-group-${id}`} data-testid={testId}>
        <h2 id={`thread-group-${id}`} className="thread-group-title">
          {title}
        </h2>
        <ul className="thread-rows">{items.map(item)}</ul>
      </section>
    );
    body = [
      ...(showPinned ? [section("pinned", t.pinnedGroup, pins.rows, "pinned-threads")] : []),
      ...groups.map((group) => section(group.id, groupLabel(group.key, t, locale), group.items)),
    ];
  }

  return (
    <nav className="thread-nav" aria-label={t.historyNav}>
      <div
        ref={scroller}
        className="thread-scroll"
        data-testid="thread-list"
        id={search ? SEARCH_RESULTS_ID : undefined}
        aria-busy={query.isFetching || pending ? true : undefined}
        data-stale={showingPlaceholder || pending ? "true" : undefined}
        onKeyDown={moveBetweenRows}
      >
        {search ? (
          <p className="sr-only" role="status" data-testid="search-status">
            {!query.isPending && !showingPlaceholder && !pending && !query.isError ? t.searchCount(rows.length, Boolean(hasNextPage)) : ""}
            {suggestion && !pending && rows.length === 0 ? ` ${t.searchDidYouMean.before}${suggestion}${t.searchDidYouMean.after}` : ""}
          </p>
        ) : null}
        {body}
        {partial ? <p className="muted search-partial">{t.searchPartial}</p> : null}
        <div ref={sentinel} className="thread-sentinel" aria-hidden="true" />
        {isFetchingNextPage ? (
          <div className="thread-more" role="status">
            <span className="spinner" aria-hidden="true" />
            <span className="sr-only">{t.loadingMore}</span>
            <SkeletonRow />
            <SkeletonRow />
          </div>
        ) : null}
        {isFetchNextPageError ? (
          <div className="list-state list-state-inline" role="alert">
            <p>{t.listError}</p>
            <button type="button" className="btn btn-sm" onClick={() => void fetchNextPage()}>
              {t.retry}
            </button>
          </div>
        ) : null}
      </div>
      <ConfirmDialog
        open={toDelete !== null}
        title={t.deleteTitle}
        body={toDelete ? t.deleteBody(toDelete.name || t.untitled) : ""}
        confirmLabel={remove.isPending ? t.deleting : t.delete}
        busy={remove.isPending}
        onCancel={() => {
          if (!remove.isPending) setToDelete(null);
        }}
        onConfirm={onConfirmDelete}
      />
    </nav>
  );
}

const ROW_KEYS: Record<string, (at: number, count: number) => number> = {
  ArrowDown: (at) => at + 1,
  ArrowUp: (at) => at - 1,
  Home: () => 0,
  End: (_, count) => count - 1,
};

/**
 * ↑/↓ from a row's link go to the next or previous row's link (pinned and dated alike), Home/End to the first or
 * last loaded one: quicker than Tab, which stops on each row's link and its ⋯. The Tab order stays as it is (no
 * roving tabindex): the list is links in lists, read as such, and a screen reader's browse mode keeps its arrows.
 */
function moveBetweenRows(event: React.KeyboardEvent<HTMLElement>) {
  const move = ROW_KEYS[event.key];
  const from = event.target as HTMLElement;
  if (!move || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || !from.classList.contains("thread-link")) return;
  const links = Array.from(event.currentTarget.querySelectorAll<HTMLElement>(".thread-link"));
  const to = links[move(links.indexOf(from), links.length)];
  if (!to) return;
  event.preventDefault();
  to.focus();
}

function SkeletonRow() {
  return (
    <div className="thread-row-skeleton" aria-hidden="true">
      <span className="skeleton skeleton-line" />
    </div>
  );
}

/** Same row height as a real row, so nothing moves when the list arrives. */
function ListSkeleton() {
  const { t } = useI18n();
  return (
    <div className="thread-group" role="status" aria-label={t.loading}>
      <div className="thread-group-title">
        <span className="skeleton skeleton-heading" />
      </div>
      {Array.from({ length: SKELETON_ROWS }, (_, i) => (
        <div key={i} className="thread-row-skeleton" aria-hidden="true">
          <span className="skeleton skeleton-line" style={{ width: `${55 + ((i * 37) % 40)}%` }} />
        </div>
      ))}
    </div>
  );
}
