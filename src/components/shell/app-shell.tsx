"use client";

import { Activity, Suspense, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { announceSession, claimClientState, releaseClientState, watchSession } from "@/lib/client/client-state";
import { modalDialogOpen, trapTab } from "@/lib/client/focus-trap";
import { useMediaQuery } from "@/lib/client/hooks";
import { useI18n } from "@/lib/client/i18n-provider";
import dynamic from "next/dynamic";
import { ShellContext, type ShellUser } from "./shell-context";
import { useGlobalShortcuts } from "./keyboard-shortcuts";
import { lazyWithPreload } from "@/components/ui/lazy-preload";
import { OnceOpened } from "@/components/ui/once-opened";
import { MenuIcon } from "@/components/ui/icons";
import { ToastProvider } from "@/components/ui/toast";

/**
 * The sidebar's code (thread list, search, filters, menus and their Radix dialogs) is not in the page's first scripts:
 * the server renders it as before, and the browser evaluates its code only when it hydrates it, after the page's main
 * content (the Activity boundary below; docs/long-threads.md, "Hydration order").
 */
const Sidebar = dynamic(() => import("./sidebar").then((module) => module.Sidebar));

const { Component: ShortcutsDialog } = lazyWithPreload(() => import("./shortcuts-dialog").then((module) => module.ShortcutsDialog));

/** Below 768 px the sidebar is a drawer. Keep in step with the media queries in threads.css. */
export const PHONE_QUERY = "(max-width: 767.98px)";

/**
 * Stores emptied first; then the session ends on the server, the other tabs are told (once it has ended, so theirs
 * do not load a page that still finds it), and a full page load leaves nothing in memory.
 */
async function endSession(action: () => Promise<void>) {
  releaseClientState();
  await action();
  announceSession(null);
  window.location.replace("/sign-in");
}

/**
 * The layout keys the shell by the user, so a different user remounts it, and the stores are claimed for that user
 * before anything below reads them (lib/client/client-state.ts).
 */
export function AppShell({
  user,
  signOutAction,
  signOutEverywhereAction,
  signInAgainAction,
  children,
}: {
  user: ShellUser;
  signOutAction: () => Promise<void>;
  signOutEverywhereAction: () => Promise<void>;
  /** "Sign in again" before "Delete my account" (server/auth/sign-in-again.ts). */
  signInAgainAction: (form: FormData) => Promise<void>;
  children: ReactNode;
}) {
  claimClientState(user.identifier, user.storageOwner);
  // Another tab's sign-out or sign-in as someone else empties this one (lib/client/client-state.ts).
  useEffect(() => watchSession(user.identifier), [user.identifier]);
  const { t } = useI18n();
  const isPhone = useMediaQuery(PHONE_QUERY);
  const [open, setOpen] = useState(false);
  const drawerOpen = isPhone && open;
  const menuButton = useRef<HTMLButtonElement>(null);
  const sidebarRef = useRef<HTMLDivElement>(null);
  const focusOnOpen = useRef<"search" | "first">("first");

  const openDrawer = useCallback((focus?: "search") => {
    focusOnOpen.current = focus ?? "first";
    setOpen(true);
  }, []);
  const closeDrawer = useCallback(() => setOpen(false), []);
  const signOut = useCallback(() => endSession(signOutAction), [signOutAction]);
  const signOutEverywhere = useCallback(() => endSession(signOutEverywhereAction), [signOutEverywhereAction]);

  // Focus moves into the drawer when it opens and back to the menu button when it closes.
  const wasOpen = useRef(false);
  useEffect(() => {
    if (drawerOpen && !wasOpen.current) {
      const root = sidebarRef.current;
      const target = focusOnOpen.current === "search" ? root?.querySelector<HTMLElement>("#thread-search") : root?.querySelector<HTMLElement>("[data-drawer-close]");
      target?.focus();
    } else if (!drawerOpen && wasOpen.current && isPhone) {
      // Only when focus was inside the drawer (a thread link was followed, Escape, the close button).
      if (!document.activeElement || document.activeElement === document.body || sidebarRef.current?.contains(document.activeElement)) menuButton.current?.focus();
    }
    wasOpen.current = drawerOpen;
  }, [drawerOpen, isPhone]);

  // Escape closes the drawer; Tab stays inside it while it is open (it is modal on phones).
  useEffect(() => {
    if (!drawerOpen) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && !event.defaultPrevented) {
        if (modalDialogOpen()) return;
        setOpen(false);
      } else {
        trapTab(event, sidebarRef.current);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [drawerOpen]);

  const [shortcuts, setShortcuts] = useState(false);
  const showShortcuts = useCallback(() => setShortcuts(true), []);
  useGlobalShortcuts(showShortcuts);

  // Shell state rather than the URL: the sidebar's filters are state (the 👍/👎 one too), and a tag filter set from a
  // thread's header must outlive opening another thread from the filtered list.
  const [tagFilter, setTagFilter] = useState<string | null>(null);
  const value = useMemo(
    () => ({ isPhone, drawerOpen, openDrawer, closeDrawer, showShortcuts, tagFilter, setTagFilter }),
    [isPhone, drawerOpen, openDrawer, closeDrawer, showShortcuts, tagFilter],
  );

  return (
    <ShellContext.Provider value={value}>
      <ToastProvider>
        <div className="app-shell" data-drawer-open={drawerOpen ? "true" : "false"}>
          <a href="#main" className="skip-link">
            {t.skipToContent}
          </a>
          {/*
            An Activity boundary: the server renders the sidebar in place, and React hydrates the boundary after the
            rest of the page (as it would a Suspense boundary, which the server would instead stream after the thread
            and reveal 300 ms later), so the open thread answers clicks first and the sidebar's code loads then. A
            click in the sidebar before that hydrates it first and is replayed; text typed into its search box before
            then is taken over when it hydrates (thread-search.tsx; docs/long-threads.md, "Hydration order").
          */}
          <Activity mode="visible">
            <Sidebar
              ref={sidebarRef}
              user={user}
              signOutAction={signOut}
              signOutEverywhereAction={signOutEverywhere}
              signInAgainAction={signInAgainAction}
              hidden={isPhone && !open}
              modal={drawerOpen}
            />
          </Activity>
          {drawerOpen ? <div className="drawer-backdrop" aria-hidden="true" onClick={closeDrawer} /> : null}
          <div className="main-pane" inert={drawerOpen}>
            <div className="mobile-bar">
              <button
                ref={menuButton}
                type="button"
                className="icon-btn"
                aria-label={t.openMenu}
                aria-expanded={drawerOpen}
                aria-controls="sidebar"
                onClick={() => openDrawer()}
              >
                <MenuIcon size={20} />
              </button>
              <span className="brand brand-sm">{t.appName}</span>
            </div>
            <main id="main" className="main-content" tabIndex={-1}>
              {children}
            </main>
          </div>
        </div>
        <OnceOpened open={shortcuts}>
          <Suspense fallback={null}>
            <ShortcutsDialog open={shortcuts} onOpenChange={setShortcuts} />
          </Suspense>
        </OnceOpened>
      </ToastProvider>
    </ShellContext.Provider>
  );
}
