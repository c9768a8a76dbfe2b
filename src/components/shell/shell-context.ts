"use client";

import { createContext, useContext } from "react";

/**
 * What the shell tells the parts inside it (sidebar, thread list, search box, new-chat button): whether the sidebar is
 * a phone drawer and how to open or close it; how to show the keyboard shortcuts. Its own module, so those parts never import app-shell.tsx, which
 * renders them.
 */
export interface ShellValue {
  isPhone: boolean;
  drawerOpen: boolean;
  openDrawer: (focus?: "search") => void;
  closeDrawer: () => void;
  showShortcuts: () => void;
  /** The sidebar's tag filter (null: none): set by a tag chip in a thread's header, shown and cleared in the sidebar. */
  tagFilter: string | null;
  setTagFilter: (tag: string | null) => void;
}

export const ShellContext = createContext<ShellValue>({
  isPhone: false,
  drawerOpen: false,
  openDrawer: () => {},
  closeDrawer: () => {},
  showShortcuts: () => {},
  tagFilter: null,
  setTagFilter: () => {},
});
export const useShell = () => useContext(ShellContext);

export interface ShellUser {
  identifier: string;
  name: string | null;
  /** Whose browser storage this is (server/auth/storage-owner.ts): never the identifier itself. */
  storageOwner: string;
}
